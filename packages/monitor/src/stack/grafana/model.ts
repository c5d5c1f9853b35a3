/**
 * A small builder for Grafana dashboard JSON (schema 39, Grafana 11): sections of panels laid out left to right
 * on the 24-column grid, one datasource (provisioned with a fixed uid), query variables.
 */

/** The datasource provisioned by grafana/provisioning/datasources/prometheus.yml. */
export const DATASOURCE = { type: 'prometheus', uid: 'vigil-prometheus' } as const;

export type Color = 'green' | 'orange' | 'red' | 'blue' | 'text';

export interface Step {
  /** The value from which the color applies; the first step has none. */
  from?: number;
  color: Color;
}

export interface ValueText {
  value: number;
  text: string;
  color: Color;
}

export interface Query {
  expr: string;
  legend?: string;
}

export interface PanelSpec {
  title: string;
  type: 'stat' | 'timeseries' | 'gauge' | 'bargauge' | 'state-timeline';
  description?: string;
  queries: Query[];
  width: number;
  height?: number;
  unit?: string;
  min?: number;
  max?: number;
  decimals?: number;
  steps?: Step[];
  mappings?: ValueText[];
  /** Stat panels: show the series name (legend) instead of the value. */
  showName?: boolean;
}

export interface Section {
  title: string;
  panels: PanelSpec[];
}

export interface Variable {
  name: string;
  label: string;
  query: string;
  /** The value selected in the committed dashboard. */
  current?: string;
  /** Several values, with an "All" option. */
  multi?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  sections: Section[];
}

function variable(spec: Variable) {
  const all = spec.multi === true;
  const current = all
    ? { selected: true, text: ['All'], value: ['$__all'] }
    : { selected: true, text: spec.current ?? '', value: spec.current ?? '' };
  return {
    name: spec.name,
    label: spec.label,
    type: 'query',
    datasource: DATASOURCE,
    definition: spec.query,
    query: { query: spec.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    multi: all,
    includeAll: all,
    ...(all ? { allValue: '.*' } : {}),
    current,
    options: [],
    hide: 0,
  };
}

function thresholds(steps: Step[] | undefined) {
  const list = steps ?? [{ color: 'green' }];
  return {
    mode: 'absolute',
    steps: list.map((step) => ({ color: step.color, value: step.from ?? null })),
  };
}

function mappings(values: ValueText[] | undefined) {
  if (!values) return [];
  return [
    {
      type: 'value',
      options: Object.fromEntries(
        values.map((entry, index) => [String(entry.value), { text: entry.text, color: entry.color, index }]),
      ),
    },
  ];
}

function options(panel: PanelSpec) {
  const reduceOptions = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (panel.type) {
    case 'stat':
      return {
        reduceOptions,
        colorMode: 'background',
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: panel.showName ? 'value_and_name' : 'auto',
        wideLayout: true,
        showPercentChange: false,
      };
    case 'gauge':
      return { reduceOptions, orientation: 'auto', showThresholdLabels: false, showThresholdMarkers: true };
    case 'bargauge':
      return {
        reduceOptions,
        orientation: 'horizontal',
        displayMode: 'gradient',
        showUnfilled: true,
        minVizHeight: 16,
      };
    case 'state-timeline':
      return {
        mergeValues: true,
        showValue: 'auto',
        alignValue: 'left',
        rowHeight: 0.9,
        legend: { showLegend: false, displayMode: 'list', placement: 'bottom' },
        tooltip: { mode: 'single', sort: 'none' },
      };
    case 'timeseries':
      return {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      };
  }
}

function panel(spec: PanelSpec, id: number, x: number, y: number) {
  const refIds = 'ABCDEFGHIJ';
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description ? { description: spec.description } : {}),
    datasource: DATASOURCE,
    gridPos: { h: spec.height ?? (spec.type === 'stat' ? 4 : 8), w: spec.width, x, y },
    targets: spec.queries.map((query, index) => ({
      refId: refIds[index] ?? `Q${index}`,
      datasource: DATASOURCE,
      expr: query.expr,
      legendFormat: query.legend ?? '__auto',
      range: true,
      instant: false,
    })),
    fieldConfig: {
      defaults: {
        unit: spec.unit ?? 'short',
        ...(spec.min !== undefined ? { min: spec.min } : {}),
        ...(spec.max !== undefined ? { max: spec.max } : {}),
        ...(spec.decimals !== undefined ? { decimals: spec.decimals } : {}),
        color: { mode: spec.type === 'timeseries' ? 'palette-classic' : 'thresholds' },
        thresholds: thresholds(spec.steps),
        mappings: mappings(spec.mappings),
        ...(spec.type === 'timeseries'
          ? { custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never' } }
          : {}),
      },
      overrides: [],
    },
    options: options(spec),
  };
}

/** The dashboard model as Grafana's file provisioning reads it. */
export function dashboard(spec: DashboardSpec) {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const section of spec.sections) {
    const row = { id: id++, type: 'row', title: section.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y } };
    panels.push({ ...row, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const item of section.panels) {
      if (x + item.width > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      const built = panel(item, id++, x, y);
      panels.push(built);
      x += item.width;
      rowHeight = Math.max(rowHeight, built.gridPos.h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['vigil'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    fiscalYearStartMonth: 0,
    liveNow: false,
    weekStart: '',
    links: [
      {
        type: 'dashboards',
        tags: ['vigil'],
        asDropdown: true,
        title: 'Vigil dashboards',
        includeVars: false,
        keepTime: true,
        icon: 'external link',
        targetBlank: false,
        tooltip: '',
        url: '',
      },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: spec.variables.map(variable) },
    panels,
  };
}

/** Every PromQL expression of a dashboard: panel targets and variable queries. */
export function dashboardExpressions(model: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown, key?: string) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) visit(v, k);
    else if (typeof node === 'string' && (key === 'expr' || key === 'definition')) found.push(node);
  };
  visit(model);
  return found;
}

export const UP_DOWN: ValueText[] = [
  { value: 1, text: 'UP', color: 'green' },
  { value: 0, text: 'DOWN', color: 'red' },
];
