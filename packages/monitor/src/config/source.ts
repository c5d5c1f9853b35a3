/**
 * One configuration file: parsed with positions (`yaml`'s parseDocument + LineCounter), `${ENV}` substituted
 * in scalar values, converted to plain data. Every value's position is kept by path, so any problem found
 * later — by the merge or the schema — can name the file, line and column. The first pass, which keeps only the
 * monitors' positions, parses a large file a slice of monitors at a time (split-monitors.ts).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type Scalar, YAMLError } from 'yaml';
import { type Env, substituteEnv, typePlainScalar } from './env.js';
import { type ConfigIssue, formatPath, type PathSegment, type SourcePosition } from './errors.js';
import { type SplitMonitors, splitMonitors, type TextPiece } from './split-monitors.js';

export interface ConfigSource {
  /** Shown in messages. */
  file: string;
  text: string;
}

export interface Located {
  /** Where the value starts (for an empty value, where its key is). */
  value: SourcePosition;
  /** Where its key is, when the value is in a mapping. */
  key?: SourcePosition;
  /** The path inside its own file. */
  local: PathSegment[];
  /** Index of the file among the files loaded, to sort problems. */
  fileIndex: number;
  /** A mapping merges with an earlier file's value at the same path; anything else replaces it. */
  isMap: boolean;
  /** Environment variables the value was built from. */
  variables?: string[];
  /**
   * For a scalar written on one line: how many characters its text starts after `value` (1 past a quote), so a
   * column inside the text (of a condition, say) maps to a column in the file.
   */
  textOffset?: number;
}

export interface ParsedSource {
  file: string;
  /** The data; undefined when the file had errors or was empty. */
  value: Record<string, unknown> | undefined;
  /** Located values by `pathKey(path)`, paths relative to the file's root. */
  positions: Map<string, Located>;
  issues: ConfigIssue[];
  /** Sort key of issues without a position. */
  fileIndex: number;
  /** The file holds no document (nothing, or only comments). */
  empty?: boolean;
}

export const pathKey = (path: readonly PathSegment[]): string => JSON.stringify(path);

/** Aliases are expanded when data is built; a document that expands to more than this is refused. */
const MAX_ALIAS_COUNT = 1000;

/**
 * Which values' positions to keep. `all` for reporting problems; `monitors` (each monitor's own position only) for
 * a first pass that expects none: the positions of every value of 10,000 monitors weigh about 19 MB while loading,
 * more than the YAML tree itself, for a configuration that is almost always valid (docs/benchmarks.md, issue 16).
 */
export type KeptPositions = 'all' | 'monitors';

const isMonitorEntry = (path: readonly PathSegment[]) => path.length === 2 && path[0] === 'monitors';

/** Monitors per slice when a large file is parsed a slice at a time (split-monitors.ts): a slice's tree is ~4 MB. */
export const MONITORS_PER_SLICE = 1000;

/** What parsing needs to know and where it puts what it finds, for a file or a piece of it. */
interface PieceContext {
  file: string;
  env: Env;
  fileIndex: number;
  kept: KeptPositions;
  positions: Map<string, Located>;
  issues: ConfigIssue[];
}

/** A piece that could not be made into data (its problems are in the context's issues). */
const FAILED = Symbol('failed');

export function parseSource(
  source: ConfigSource,
  env: Env,
  fileIndex = 0,
  kept: KeptPositions = 'all',
  monitorsPerSlice = MONITORS_PER_SLICE,
): ParsedSource {
  // Only the first pass, which keeps no position but the monitors', parses slices; at any problem, or anything
  // unexpected, the file is parsed whole, exactly as without slices.
  const split = kept === 'monitors' ? splitMonitors(source.text, monitorsPerSlice) : undefined;
  if (split) {
    const parsed = parseSlices(source, split, env, fileIndex);
    if (parsed) return parsed;
  }
  const context: PieceContext = { file: source.file, env, fileIndex, kept, positions: new Map(), issues: [] };
  return parsedFile(context, parsePiece(context, { text: source.text, lineBase: 0 }));
}

/** The file's ParsedSource from its root's data (the file parsed whole, or the rest of a split file). */
function parsedFile(context: PieceContext, root: ParsedPiece | typeof FAILED): ParsedSource {
  const { file, positions, issues, fileIndex } = context;
  if (root === FAILED || issues.length > 0) return { file, value: undefined, positions, issues, fileIndex };
  const { data } = root;
  if (data === null || data === undefined) return { file, value: {}, positions, issues, fileIndex, empty: true };
  if (typeof data !== 'object' || Array.isArray(data)) {
    issues.push({
      ...root.start,
      path: '',
      message: 'expected a mapping of sections (server, storage, monitors, …) at the top level',
    });
    return { file, value: undefined, positions, issues, fileIndex };
  }
  return { file, value: data as Record<string, unknown>, positions, issues, fileIndex };
}

/**
 * A file split at its monitors: the rest, then each slice of monitors, parsed one after the other, so that one
 * slice's tree is alive at a time. Undefined at any problem or surprise: the caller then parses the file whole.
 */
function parseSlices(source: ConfigSource, split: SplitMonitors, env: Env, fileIndex: number): ParsedSource | undefined {
  const context: PieceContext = { file: source.file, env, fileIndex, kept: 'monitors', positions: new Map(), issues: [] };
  const parsed = parsedFile(context, parsePiece(context, split.rest));
  // The rest holds the `monitors:` key with its items blanked out, so with no value.
  if (parsed.value === undefined || parsed.empty || parsed.value.monitors !== null) return undefined;
  const monitors: unknown[] = [];
  for (const slice of split.slices) {
    const items = parsePiece(context, slice, monitors.length);
    if (items === FAILED || context.issues.length > 0 || !Array.isArray(items.data)) return undefined;
    for (const item of items.data) monitors.push(item);
  }
  parsed.value.monitors = monitors;
  return parsed;
}

interface ParsedPiece {
  data: unknown;
  /** Where the piece's root value starts. */
  start: SourcePosition;
}

/**
 * Parses one piece of a file: the whole file (or the rest of a split one), or, given `firstMonitor`, a slice of the
 * monitors, whose items are `monitors[firstMonitor]` onwards.
 */
function parsePiece(context: PieceContext, piece: TextPiece, firstMonitor?: number): ParsedPiece | typeof FAILED {
  const { env, fileIndex, kept, positions } = context;
  const lineCounter = new LineCounter();
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: context.file, line: line + piece.lineBase, column: col };
  };
  const issue = (offset: number, path: readonly PathSegment[], message: string) =>
    context.issues.push({ ...at(offset), path: formatPath(path), message });

  const doc = parseDocument(piece.text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: false,
  });
  const seen = new Set<number>();
  for (const problem of [...doc.errors, ...doc.warnings]) {
    // One problem often sets off others at the same place; the first says what is wrong.
    if (seen.has(problem.pos[0])) continue;
    seen.add(problem.pos[0]);
    // yaml's messages end with " at line L, column C" when pretty; ours carry the position in front instead.
    issue(problem.pos[0], [], `invalid YAML: ${problem.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '')}`);
  }
  if (doc.errors.length > 0) return FAILED;

  const substitute = (node: Scalar, path: PathSegment[], located: Located) => {
    if (typeof node.value !== 'string' || !node.value.includes('${')) return;
    const result = substituteEnv(node.value, env);
    // Point at the expression itself when it can be found in the source text of the scalar.
    const [start = 0, end = start] = node.range ?? [];
    const raw = piece.text.slice(start, end);
    let searchFrom = 0;
    for (const problem of result.problems) {
      const found = raw.indexOf(problem.expression, searchFrom);
      if (found >= 0) searchFrom = found + problem.expression.length;
      issue(found >= 0 ? start + found : start, path, problem.message);
    }
    if (result.variables.length > 0) located.variables = result.variables;
    // A substituted value no longer matches the source text column for column.
    if (result.variables.length > 0 || raw.includes('$${')) delete located.textOffset;
    node.value = node.type === 'PLAIN' && result.variables.length > 0 ? typePlainScalar(result.value) : result.value;
  };

  const walk = (node: Node | null, path: PathSegment[], keyOffset: number | undefined, fallbackOffset: number) => {
    const start = node?.range?.[0];
    const empty = node === null || (isScalar(node) && node.range && node.range[0] === node.range[1]);
    // An empty value is shown at its key (`tls:`), or where it would be (`-` with nothing after it).
    const valueOffset = empty || start === undefined ? (keyOffset ?? start ?? fallbackOffset) : start;
    const located: Located = {
      value: at(valueOffset),
      ...(keyOffset === undefined ? {} : { key: at(keyOffset) }),
      local: path,
      fileIndex,
      isMap: isMap(node),
    };
    if (kept === 'all' || isMonitorEntry(path)) positions.set(pathKey(path), located);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        walk(pair.value as Node | null, [...path, String(pair.key.value)], pair.key.range?.[0], node.range?.[0] ?? 0);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item as Node | null, [...path, index], undefined, node.range?.[0] ?? 0));
    } else if (isScalar(node)) {
      const [from = 0, to = from] = node.range ?? [];
      const raw = piece.text.slice(from, to);
      // Escapes would shift columns inside the text; only plain runs of characters map one to one.
      if (!raw.includes('\n')) {
        if (node.type === 'PLAIN') located.textOffset = 0;
        else if (node.type === 'QUOTE_SINGLE' && !raw.slice(1, -1).includes("''")) located.textOffset = 1;
        else if (node.type === 'QUOTE_DOUBLE' && !raw.includes('\\')) located.textOffset = 1;
      }
      substitute(node, path, located);
    } else if (isAlias(node)) {
      // The anchored value was substituted where it is defined; an alias inside its own anchor never ends.
      const target = node.resolve(doc);
      const [from, to] = [target?.range?.[0], target?.range?.[1]];
      const at = node.range?.[0] ?? fallbackOffset;
      if (from !== undefined && to !== undefined && at >= from && at < to) {
        issue(at, path, `invalid YAML: the alias *${node.source} is inside its own anchor, which would never end`);
      }
    }
  };
  const root = doc.contents as Node | null;
  if (firstMonitor === undefined) walk(root, [], undefined, 0);
  else if (isSeq(root)) {
    root.items.forEach((item, index) => walk(item as Node | null, ['monitors', firstMonitor + index], undefined, root.range?.[0] ?? 0));
  } else return FAILED;
  if (context.issues.length > 0) return FAILED;

  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), start: at(root?.range?.[0] ?? 0) };
  } catch (error) {
    const message = error instanceof YAMLError || error instanceof Error ? error.message : String(error);
    issue(0, [], `invalid YAML: ${message}`);
    return FAILED;
  }
}
