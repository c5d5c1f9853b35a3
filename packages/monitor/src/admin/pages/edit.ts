/**
 * The monitor form, driven by the configuration's own schema: each monitor type's fields (from the same zod schema
 * vigil.yaml is validated with, as JSON Schema) become inputs — text, number, a choice, yes/no, a list (one per line)
 * or JSON for nested settings. The script sends the definition to the REST API, which validates it exactly as a
 * configuration file; its answers name the field, and the message is shown next to it.
 */
import { z } from 'zod';
import { API_PREFIX } from '../../api/context.js';
import type { MonitorView } from '../../api/types.js';
import { isSecretSchema } from '../../config/fields.js';
import { monitorTypes } from '../../config/monitors/index.js';
import { ADMIN_PREFIX, escapeHtml } from '../layout.js';

type Json = Record<string, unknown>;

/** How a field is entered and read back by the script. */
export type FieldKind = 'text' | 'secret' | 'number' | 'choice' | 'boolean' | 'lines' | 'json';

export interface FormField {
  name: string;
  kind: FieldKind;
  required: boolean;
  description: string;
  choices?: readonly string[];
}

export interface FormType {
  type: string;
  description: string;
  fields: readonly FormField[];
}

/** Fields shown first, in this order; the rest follow as the schema lists them. */
const FIRST = ['name', 'id', 'url', 'host', 'port', 'interval', 'timeout', 'retries', 'group', 'tags', 'public', 'description'];
/** Set by the form itself, or not meant for it. */
const HIDDEN = new Set(['type', 'paused']);

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function kindOf(schema: Json, secret: boolean): Pick<FormField, 'kind' | 'choices'> {
  if (secret) return { kind: 'secret' };
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) return { kind: 'choice', choices: schema.enum as string[] };
  if (schema.type === 'boolean') return { kind: 'boolean' };
  if (schema.type === 'integer' || schema.type === 'number') return { kind: 'number' };
  if (schema.type === 'string') return { kind: 'text' };
  if (schema.type === 'array' && isObject(schema.items) && schema.items.type === 'string') return { kind: 'lines' };
  // A duration ("30s" or seconds) or a union of scalars: typed as text, the API reads it like the file would.
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((member) => isObject(member) && (member.type === 'string' || member.type === 'number'))) {
    return { kind: 'text' };
  }
  return { kind: 'json' };
}

let cached: FormType[] | undefined;

/** The form of every monitor type, derived once from the configuration schema. */
export function formTypes(): FormType[] {
  cached ??= monitorTypes.map((schema) => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
    const properties = isObject(json.properties) ? json.properties : {};
    const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
    const shape = schema.shape as Record<string, z.ZodType>;
    const names = Object.keys(properties).filter((name) => !HIDDEN.has(name));
    names.sort((a, b) => {
      const ia = FIRST.indexOf(a);
      const ib = FIRST.indexOf(b);
      return (ia < 0 ? FIRST.length : ia) - (ib < 0 ? FIRST.length : ib);
    });
    return {
      type: schema.shape.type.value,
      description: typeof json.description === 'string' ? json.description : '',
      fields: names.map((name) => {
        const property = properties[name] as Json;
        return {
          name,
          required: required.has(name),
          description: typeof property.description === 'string' ? property.description : '',
          ...kindOf(property, shape[name] !== undefined && isSecretSchema(shape[name])),
        };
      }),
    };
  });
  return cached;
}

function valueText(field: FormField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'lines' && Array.isArray(value)) return value.map(String).join('\n');
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function fieldInput(type: string, field: FormField, value: unknown): string {
  const id = `f-${type}-${field.name}`;
  const described = `${id}-help ${id}-error`;
  const common = `id="${id}" name="${escapeHtml(field.name)}" data-kind="${field.kind}" aria-describedby="${described}"${field.required ? ' required' : ''}`;
  const text = valueText(field, value);
  let control: string;
  switch (field.kind) {
    case 'choice':
      control = `<select ${common}><option value="">(default)</option>${(field.choices ?? []).map((choice) => `<option${choice === text ? ' selected' : ''}>${escapeHtml(choice)}</option>`).join('')}</select>`;
      break;
    case 'boolean':
      control = `<select ${common}><option value="">(default)</option><option value="true"${value === true ? ' selected' : ''}>yes</option><option value="false"${value === false ? ' selected' : ''}>no</option></select>`;
      break;
    case 'number':
      control = `<input type="number" step="any" ${common} value="${escapeHtml(text)}">`;
      break;
    case 'secret':
      control = `<input type="password" autocomplete="off" ${common} value="${escapeHtml(text)}">`;
      break;
    case 'lines':
    case 'json':
      control = `<textarea ${common} rows="${field.kind === 'json' ? 4 : 2}" spellcheck="false">${escapeHtml(text)}</textarea>`;
      break;
    default:
      control = `<input type="text" ${common} value="${escapeHtml(text)}" spellcheck="false">`;
  }
  const hint = field.kind === 'lines' ? ' One per line.' : field.kind === 'json' ? ' JSON.' : '';
  return `<div class="field" data-field="${escapeHtml(field.name)}"><label for="${id}">${escapeHtml(field.name)}${field.required ? ' <span aria-hidden="true">*</span>' : ''}</label>${control}<p class="help" id="${id}-help">${escapeHtml(field.description + hint)}</p><p class="field-error" id="${id}-error"></p></div>`;
}

export interface EditPageInput {
  /** Editing this monitor (an API monitor, redacted definition); creating when absent. */
  monitor?: MonitorView;
  /** The redacted definition of the monitor being edited. */
  definition?: Readonly<Record<string, unknown>>;
}

export function renderEditPage(input: EditPageInput): string {
  const types = formTypes();
  const editing = input.monitor;
  const current = editing ? editing.type : (types[0]?.type ?? 'http');
  const definition = input.definition ?? {};
  const method = editing ? 'PUT' : 'POST';
  const url = editing ? `${API_PREFIX}/monitors/${encodeURIComponent(editing.id)}` : `${API_PREFIX}/monitors`;
  const typeChoice = editing
    ? `<input type="hidden" name="type" value="${escapeHtml(current)}"><p>Type: <strong>${escapeHtml(current)}</strong></p>`
    : `<div class="field"><label for="monitor-type">Type</label><select id="monitor-type" name="type">${types.map((t) => `<option value="${t.type}"${t.type === current ? ' selected' : ''}>${t.type}</option>`).join('')}</select></div>`;
  const fieldsets = types
    .filter((t) => !editing || t.type === current)
    .map(
      (t) =>
        `<fieldset data-type="${t.type}"${t.type === current ? '' : ' hidden disabled'}><legend>${escapeHtml(t.type)}: ${escapeHtml(t.description)}</legend>${t.fields
          .map((field) => fieldInput(t.type, field, editing ? definition[field.name] : undefined))
          .join('')}</fieldset>`,
    )
    .join('\n');
  const title = editing ? `Edit ${editing.name}` : 'New monitor';
  const back = editing ? `${ADMIN_PREFIX}/monitors/${encodeURIComponent(editing.id)}` : ADMIN_PREFIX;
  return `<p class="crumbs"><a href="${ADMIN_PREFIX}">Monitors</a> /</p>
<h1>${escapeHtml(title)}</h1>
<p class="muted">The same fields as an entry of <code>monitors:</code> in vigil.yaml, checked by the same rules. Secrets show as <code>***</code>: left as they are, they keep their value.</p>
<form id="monitor-form" class="monitor-form" data-method="${method}" data-url="${escapeHtml(url)}" data-done="${ADMIN_PREFIX}/monitors/" novalidate>
<div class="form-error" id="form-error" role="alert" hidden></div>
${typeChoice}
${fieldsets}
<p class="actions"><button type="submit" class="primary">${editing ? 'Save' : 'Create monitor'}</button> <a href="${escapeHtml(back)}">Cancel</a></p>
</form>`;
}
