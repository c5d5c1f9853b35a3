/**
 * Loading: files (or directories of *.yaml / *.yml, sorted by name) → parsed with positions and `${ENV}`
 * substituted → merged → validated by the one schema. Any problem, in any file, is reported together with
 * all the others in one ConfigError.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from './env.js';
import { ConfigError, type ConfigIssue, type SourcePosition } from './errors.js';
import { mergeSources } from './merge.js';
import { DEFAULT_MESSAGE, type LocatedIssue, reportZodIssues } from './report.js';
import { configSchema, type VigilConfig } from './schema.js';
import { collectSecrets } from './schema-walk.js';
import { type ConfigSource, type KeptPositions, MONITORS_PER_SLICE, type ParsedSource, parseSource, pathKey } from './source.js';

export interface LoadOptions {
  /** Variables for `${ENV}` substitution. Default: `process.env`. */
  env?: Env;
  /**
   * Monitors per slice when a large file is parsed a slice at a time (split-monitors.ts). Default
   * MONITORS_PER_SLICE; `Infinity` parses every file whole (bench/config-load.mjs compares the two).
   */
  monitorsPerSlice?: number;
}

export interface LoadedConfig {
  config: VigilConfig;
  /** The files read, in merge order (directories expanded): what to watch for a reload. */
  files: string[];
  /** Where each monitor is defined, by monitor id. */
  monitorSources: ReadonlyMap<string, SourcePosition>;
  /**
   * Files with no content (nothing, or only comments): valid, but on a reload more likely a file caught while
   * being written (an editor or a deploy that truncates first) than a wish to remove everything.
   */
  emptyFiles: string[];
}

const bySource = (a: { fileIndex: number } & ConfigIssue, b: { fileIndex: number } & ConfigIssue) =>
  a.fileIndex - b.fileIndex || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);

function fail(issues: Array<ConfigIssue & { fileIndex: number }>): never {
  throw new ConfigError(
    [...issues].sort(bySource).map(({ file, line, column, path, message }) => ({
      ...(file === undefined ? {} : { file }),
      ...(line === undefined ? {} : { line }),
      ...(column === undefined ? {} : { column }),
      path,
      message,
    })),
  );
}

/** Validates configuration text already in memory (tests, the API, a reload that read the files itself). */
export function parseConfigSources(sources: readonly ConfigSource[], options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  if (sources.length === 0) fail([{ path: '', message: 'no configuration file given', fileIndex: 0 }]);
  // The first pass keeps only each monitor's position (all a valid configuration needs); at the first problem the
  // files are parsed again with every position, to say where each problem is.
  const perSlice = options.monitorsPerSlice ?? MONITORS_PER_SLICE;
  return parsePass(sources, env, 'monitors', perSlice) ?? (parsePass(sources, env, 'all', perSlice) as LoadedConfig);
}

/** One pass over the sources: the configuration, or, when positions were not all kept, undefined at a problem. */
function parsePass(
  sources: readonly ConfigSource[],
  env: Env,
  kept: KeptPositions,
  monitorsPerSlice: number,
): LoadedConfig | undefined {
  const report = (issues: Array<ConfigIssue & { fileIndex: number }>) => (kept === 'all' ? fail(issues) : undefined);
  const parsed: ParsedSource[] = sources.map((source, index) => parseSource(source, env, index, kept, monitorsPerSlice));
  const early = parsed.flatMap((source) => source.issues.map((issue) => ({ ...issue, fileIndex: source.fileIndex })));
  // Syntax and substitution errors leave the data incomplete: validating it would only add noise.
  if (early.length > 0) return report(early);

  const merged = mergeSources(parsed);
  const result = configSchema.safeParse(merged.value, { error: () => DEFAULT_MESSAGE });
  if (kept !== 'all' && (merged.issues.length > 0 || !result.success)) return undefined;
  const mergeIssues: LocatedIssue[] = merged.issues.map((issue) => ({
    ...issue,
    fileIndex: merged.positions.get(pathKey(issue.mergedPath))?.fileIndex ?? 0,
  }));
  const schemaIssues = result.success
    ? []
    : reportZodIssues(result.error.issues, {
        schema: configSchema,
        data: merged.value,
        positions: merged.positions,
        secrets: collectSecrets(configSchema, merged.value),
      });
  // A duplicate name is reported once, by the merge, not again as a duplicate id.
  const reported = new Set(mergeIssues.map((issue) => pathKey(issue.mergedPath)));
  const issues = [...mergeIssues, ...schemaIssues.filter((issue) => !reported.has(pathKey(issue.mergedPath)))];
  if (issues.length > 0 || !result.success) fail(issues);

  const monitorSources = new Map<string, SourcePosition>();
  result.data.monitors.forEach((monitor, index) => {
    const located = merged.positions.get(pathKey(['monitors', index]));
    if (located) monitorSources.set(monitor.id, located.value);
  });
  const emptyFiles = parsed.filter((source) => source.empty).map((source) => source.file);
  return { config: result.data, files: sources.map((source) => source.file), monitorSources, emptyFiles };
}

const CONFIG_FILE = /\.ya?ml$/i;

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

/** Files to load for the given paths: files as given, directories as their *.yaml / *.yml files sorted by name. */
export async function expandConfigPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const issues: Array<ConfigIssue & { fileIndex: number }> = [];
  for (const path of paths) {
    try {
      if (!(await stat(path)).isDirectory()) {
        files.push(path);
        continue;
      }
      const names: string[] = [];
      for (const entry of await readdir(path)) {
        if (entry.startsWith('.') || !CONFIG_FILE.test(entry)) continue;
        if ((await stat(join(path, entry))).isFile()) names.push(entry);
      }
      names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      if (names.length === 0)
        issues.push({ file: path, path: '', message: 'no .yaml or .yml files in this directory', fileIndex: 0 });
      files.push(...names.map((name) => join(path, name)));
    } catch (error) {
      issues.push({ file: path, path: '', message: readProblem(error), fileIndex: 0 });
    }
  }
  if (issues.length > 0) fail(issues);
  return files;
}

/**
 * Loads and validates the configuration from files and directories (merged in order; a later file wins).
 * Throws a ConfigError listing every problem as `file:line:col: field: message`.
 */
export async function loadConfig(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedConfig> {
  if (paths.length === 0) fail([{ path: '', message: 'no configuration file given', fileIndex: 0 }]);
  const files = await expandConfigPaths(paths);
  const sources: ConfigSource[] = [];
  const issues: Array<ConfigIssue & { fileIndex: number }> = [];
  for (const file of files) {
    try {
      sources.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      issues.push({ file, path: '', message: readProblem(error), fileIndex: 0 });
    }
  }
  if (issues.length > 0) fail(issues);
  return parseConfigSources(sources, options);
}
