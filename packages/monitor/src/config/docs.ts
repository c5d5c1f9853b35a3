/**
 * docs/config.md, generated from the JSON Schema (itself generated from the zod schema and its descriptions).
 * The prose around the tables is here; every table row comes from a `.describe()` in the schema.
 */
import { DURATION_PATTERN } from './duration.js';
import {
  buildConfigJsonSchema,
  CONFIG_GENERATE_COMMAND,
  CONFIG_SCHEMA_PATH,
  ENV_REFERENCE,
  type JsonSchema,
} from './json-schema.js';

export const CONFIG_DOCS_PATH = 'docs/config.md';

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const schemas = (value: unknown): JsonSchema[] => (Array.isArray(value) ? value.filter(isObject) : []);
const properties = (schema: JsonSchema): Record<string, JsonSchema> =>
  isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : {};
const isEnvReference = (schema: JsonSchema) => JSON.stringify(schema) === JSON.stringify(ENV_REFERENCE);
/** The forms a value may take, without the `${VAR}` alternative every scalar has. */
const variants = (schema: JsonSchema): JsonSchema[] =>
  [...schemas(schema.anyOf), ...schemas(schema.oneOf)].filter((variant) => !isEnvReference(variant));
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

function typeOf(schema: JsonSchema): string {
  const options = variants(schema);
  if (options.some((option) => option.pattern === DURATION_PATTERN)) return 'duration';
  if (options.length === 1 && options[0]) return typeOf(options[0]);
  if ('const' in schema) return code(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(code).join(' | ');
  if (options.length > 0) return [...new Set(options.map(typeOf))].join(' or ');
  const pattern = typeof schema.pattern === 'string' ? /^\^\(([a-z|]+)\):\/\/$/.exec(schema.pattern) : null;
  if (pattern)
    return `URL (${(pattern[1] ?? '')
      .split('|')
      .map((s) => `\`${s}://\``)
      .join(', ')})`;
  switch (schema.type) {
    case 'array':
      return `list of ${isObject(schema.items) ? typeOf(schema.items) : 'values'}`;
    case 'object':
      return isObject(schema.additionalProperties) ? `map of ${typeOf(schema.additionalProperties)}` : 'mapping';
    case 'integer':
      return 'integer';
    default:
      return typeof schema.type === 'string' ? schema.type : 'value';
  }
}

interface Row {
  field: string;
  type: string;
  description: string;
  default: unknown;
  required: boolean;
  secret: boolean;
}

function row(field: string, schema: JsonSchema, required: boolean, inSecret: boolean): Row {
  return {
    field,
    type: typeOf(schema),
    description: typeof schema.description === 'string' ? schema.description : '',
    default: schema.default,
    required,
    secret: inSecret || schema.writeOnly === true,
  };
}

/**
 * A field and the fields inside it (`tls.skip_verify`, `schedule.cron`), depth first. A field that several
 * forms of a value have (`storage.type`) is one row, its types and descriptions joined.
 */
function rows(schema: JsonSchema, prefix = '', inSecret = false): Row[] {
  const out: Row[] = [];
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  for (const [name, child] of Object.entries(properties(schema))) {
    const own = row(`${prefix}${name}`, child, required.has(name), inSecret);
    out.push(own);
    const inner = child.type === 'array' && isObject(child.items) ? child.items : child;
    const nested = inner === child ? `${prefix}${name}.` : `${prefix}${name}[].`;
    const forms = [inner, ...variants(inner), ...variants(inner).flatMap(variants)].filter(
      (form) => Object.keys(properties(form)).length > 0,
    );
    const byField = new Map<string, Row>();
    for (const form of forms) {
      for (const inside of rows(form, nested, own.secret)) {
        const seen = byField.get(inside.field);
        if (!seen) {
          byField.set(inside.field, { ...inside, required: inside.required && forms.length === 1 });
          continue;
        }
        if (!seen.type.split(' or ').includes(inside.type)) seen.type = `${seen.type} or ${inside.type}`;
        if (!seen.description.includes(inside.description))
          seen.description = `${seen.description} ${inside.description}`;
      }
    }
    out.push(...byField.values());
  }
  return out;
}

function defaultOf(row: Row): string {
  if (row.required) return 'required';
  const value = row.default;
  if (value === undefined || (isObject(value) && Object.keys(value).length === 0)) return '';
  return code(value);
}

function table(list: Row[]): string {
  const lines = ['| field | type | default | description |', '| --- | --- | --- | --- |'];
  for (const row of list) {
    const type = `${row.type}${row.secret ? ', secret' : ''}`;
    lines.push(`| \`${row.field}\` | ${cell(type)} | ${cell(defaultOf(row))} | ${cell(row.description)} |`);
  }
  return lines.join('\n');
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function monitorSections(monitors: JsonSchema): string[] {
  const types = variants(isObject(monitors.items) ? monitors.items : {});
  const fieldsOf = (variant: JsonSchema) => properties(variant);
  const sharedBy = (list: JsonSchema[]) =>
    Object.keys(fieldsOf(list[0] ?? {})).filter(
      (name) =>
        name !== 'type' && list.every((variant) => same(fieldsOf(variant)[name], fieldsOf(list[0] ?? {})[name])),
    );
  const common = new Set(sharedBy(types));
  const probing = types.filter((variant) => 'interval' in fieldsOf(variant));
  const probe = new Set(sharedBy(probing).filter((name) => !common.has(name)));
  const pick = (variant: JsonSchema, names: (name: string) => boolean): JsonSchema => ({
    properties: Object.fromEntries(Object.entries(fieldsOf(variant)).filter(([name]) => names(name))),
    required: Array.isArray(variant.required) ? variant.required : [],
  });
  const typeName = (variant: JsonSchema) => String(fieldsOf(variant).type?.const);

  const out = [
    '### Fields of every monitor',
    '',
    table(
      rows(pick(types[0] ?? {}, (name) => name === 'type' || common.has(name))).map((row) =>
        row.field === 'type'
          ? {
              ...row,
              type: 'string',
              description: `The monitor type: ${types.map((t) => `\`${typeName(t)}\``).join(', ')}.`,
            }
          : row,
      ),
    ),
    '',
    `### Fields of monitors that probe a target (${probing.map((t) => `\`${typeName(t)}\``).join(', ')})`,
    '',
    table(rows(pick(probing[0] ?? {}, (name) => probe.has(name)))),
  ];
  const specific = (variant: JsonSchema) =>
    Object.keys(fieldsOf(variant)).filter((name) => name !== 'type' && !common.has(name) && !probe.has(name));
  types.forEach((variant, index) => {
    const own = specific(variant);
    // A type that has every field of an earlier one (health ⊇ http) is described as "…, plus".
    const base = types
      .slice(0, index)
      .find(
        (other) =>
          specific(other).length > 0 &&
          specific(other).every((name) => same(fieldsOf(other)[name], fieldsOf(variant)[name])),
      );
    const inherited = new Set(base ? specific(base) : []);
    const description = typeof variant.description === 'string' ? variant.description : '';
    out.push('', `### \`type: ${typeName(variant)}\``, '', description, '');
    if (base) out.push(`Every field of \`${typeName(base)}\`, plus:`, '');
    out.push(table(rows(pick(variant, (name) => own.includes(name) && !inherited.has(name)))));
  });
  return out;
}

const INTRO = `# Configuration reference

<!-- Generated from the schema in packages/monitor/src/config by \`${CONFIG_GENERATE_COMMAND}\`. Do not edit by hand. -->

\`vigil serve\` reads its configuration from YAML. This page is generated from the schema that validates it,
which also produces the JSON Schema at [\`${CONFIG_SCHEMA_PATH}\`](../${CONFIG_SCHEMA_PATH}) for editor
completion. A working example: [\`examples/vigil.yaml\`](../examples/vigil.yaml).

## Files

- **Editor support.** Start a file with
  \`# yaml-language-server: $schema=<path or URL of vigil.schema.json>\` (VS Code with the YAML extension, and
  other editors using yaml-language-server) to get completion, descriptions and validation as you type.
- **Several files** are merged in the order given; a directory stands for its \`*.yaml\` and \`*.yml\` files,
  sorted by name. The \`monitors\` lists are concatenated (a monitor name may appear only once across all
  files); every other section is merged key by key, and a later file wins.
- **Environment variables.** \`\${VAR}\` is replaced by the variable's value, \`\${VAR:-default}\` uses
  \`default\` when the variable is unset or empty, and \`$\${\` writes a literal \`\${\`. An unset variable
  without a default is an error that names the file and line. Substitution happens in values after the YAML is
  parsed, so a value from the environment can never add keys or structure. An unquoted value that becomes a
  number or \`true\`/\`false\` is read as one (\`port: \${PORT}\`); quote it (\`"\${TOKEN}"\`) to keep a string.
  Inside flow style (\`{ … }\`, \`[ … ]\`) the braces of \`\${…}\` need quotes: write such values in block style.
- **Durations** are written \`"500ms"\`, \`"30s"\`, \`"5m"\`, \`"1h"\`, \`"1d"\` or combined (\`"1h30m"\`); a plain
  number is seconds.
- **Errors.** An invalid configuration is refused with every problem at once, each as
  \`file:line:column: field: message\`, e.g.
  \`vigil.yaml:12:5: monitors[2].interval: expected a duration like "30s" or "5m", got "fast"\`. Unknown keys are
  errors, with a suggestion when one is close. Values of secret fields (passwords, tokens, headers, connection
  URLs) and URLs with credentials are never shown.`;

/** The content of docs/config.md. */
export function renderConfigDocs(): string {
  const schema = buildConfigJsonSchema();
  const top = properties(schema);
  const out: string[] = [INTRO, '', '## Sections', '', '| section | description |', '| --- | --- |'];
  for (const [name, section] of Object.entries(top)) {
    out.push(
      `| [\`${name}\`](#${name}) | ${cell(typeof section.description === 'string' ? section.description : '')} |`,
    );
  }
  for (const [name, section] of Object.entries(top)) {
    const description = typeof section.description === 'string' ? section.description : '';
    out.push('', `## ${name}`, '', description, '');
    if (name === 'monitors') out.push(...monitorSections(section));
    // A plain section lists its fields; one that also takes other forms (storage) starts with its own row.
    else if (variants(section).length === 0) out.push(table(rows(section, `${name}.`)));
    else out.push(table(rows({ properties: { [name]: section } })));
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
