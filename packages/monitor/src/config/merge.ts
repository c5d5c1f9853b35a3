/**
 * Several files make one configuration: `monitors` lists are concatenated (a name may appear once across all
 * files), every other section is merged deeply, and for the same key a later file wins. Positions follow the
 * values, so a problem in the merged data still points into the file it came from.
 */
import { type ConfigIssue, formatPath, formatPosition, type PathSegment } from './errors.js';
import { type Located, type ParsedSource, pathKey } from './source.js';

export interface MergedSources {
  value: Record<string, unknown>;
  /** Located values by `pathKey(path)` of the merged data. */
  positions: Map<string, Located>;
  issues: Array<ConfigIssue & { mergedPath: PathSegment[] }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isRecord(base) || !isRecord(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

const isUnder = (path: readonly PathSegment[], prefix: readonly PathSegment[]) =>
  path.length > prefix.length && prefix.every((segment, i) => path[i] === segment);

export function mergeSources(sources: readonly ParsedSource[]): MergedSources {
  let value: Record<string, unknown> = {};
  const positions = new Map<string, { path: PathSegment[]; located: Located }>();
  const issues: MergedSources['issues'] = [];
  // Every name seen, with its position when the sources kept it (a first pass keeps only each monitor's own).
  const names = new Map<string, Located | undefined>();

  for (const source of sources) {
    if (!source.value) continue;
    // A section left empty (`server:` with every key commented out) is no section, not a null one.
    const present = Object.fromEntries(Object.entries(source.value).filter(([, section]) => section !== null));
    const { monitors, ...sections } = present;
    const before = Array.isArray(value.monitors) ? value.monitors : undefined;
    const offset = before?.length ?? 0;
    const concatenate = before !== undefined && Array.isArray(monitors);
    if (before !== undefined && monitors !== undefined && !Array.isArray(monitors)) {
      const located = source.positions.get(pathKey(['monitors']));
      issues.push({
        ...(located ? located.value : { file: source.file }),
        path: 'monitors',
        message: 'expected a list of monitors (earlier files have one, and lists are concatenated)',
        mergedPath: ['monitors'],
      });
      continue;
    }

    value = deepMerge(value, sections) as Record<string, unknown>;
    if (monitors !== undefined) value.monitors = concatenate ? [...before, ...monitors] : monitors;

    for (const located of source.positions.values()) {
      const section = located.local[0];
      if (section !== undefined && !(section in present) && section in source.value) continue;
      const path =
        concatenate && located.local[0] === 'monitors' && typeof located.local[1] === 'number'
          ? ['monitors', located.local[1] + offset, ...located.local.slice(2)]
          : located.local;
      if (concatenate && path.length === 1 && path[0] === 'monitors') continue;
      const key = pathKey(path);
      if (!located.isMap && positions.has(key) && !(path.length === 1 && path[0] === 'monitors')) {
        // A scalar or a list replaces what an earlier file had here, positions included.
        for (const [other, entry] of positions) if (isUnder(entry.path, path)) positions.delete(other);
      }
      positions.set(key, { path, located });
    }

    if (Array.isArray(monitors)) {
      monitors.forEach((monitor: unknown, index) => {
        if (!isRecord(monitor) || typeof monitor.name !== 'string') return;
        const located = source.positions.get(pathKey(['monitors', index, 'name']));
        const mergedPath = ['monitors', index + (concatenate ? offset : 0), 'name'];
        if (!names.has(monitor.name)) names.set(monitor.name, located);
        else {
          const first = names.get(monitor.name);
          issues.push({
            ...(located ? located.value : { file: source.file }),
            path: located ? formatPath(located.local) : formatPath(mergedPath),
            message: `duplicate monitor name "${monitor.name}"${first ? `, also at ${formatPosition(first.value)}` : ''} (names are unique across all files)`,
            mergedPath,
          });
        }
      });
    }
  }
  return {
    value,
    positions: new Map([...positions].map(([key, entry]) => [key, entry.located])),
    issues,
  };
}
