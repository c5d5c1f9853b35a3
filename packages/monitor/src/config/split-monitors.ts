/**
 * Splitting a large configuration file at its monitors, so that it can be parsed a slice at a time. `yaml` builds a
 * syntax tree of the whole document before composing it: for 10,000 monitors that tree is about 40 MB of heap and
 * the document composed from it 16 MB more, for 3 MB of data (docs/benchmarks.md, issue 16) — the largest moment of
 * a start. Parsed a slice of monitors at a time, only one slice's tree is alive.
 *
 * The split follows `yaml`'s own lexer over the whole text, never a guess from the text: a slice starts where the
 * lexer finds a `-` that begins an item of the top-level `monitors` block sequence (at the start of a line, outside
 * any flow collection). Without anchors, aliases, tags or several documents an item's value depends on its own text
 * only, so the slices compose to what the whole would. Anything else — one of those, a `monitors` written in flow
 * style, an indentation the sequence would not accept — and the text is not split: it is parsed whole, as before.
 */
import { CST, Lexer } from 'yaml';

export interface TextPiece {
  text: string;
  /** How many lines of the file come before the piece (pieces start at the start of a line). */
  lineBase: number;
}

export interface SplitMonitors {
  /** The file with the lines of the monitors' items blanked out (the `monitors:` key left with no value). */
  rest: TextPiece;
  /** The items, a few at a time: each piece is a block sequence, at the indentation it has in the file. */
  slices: TextPiece[];
}

/** Lexer tokens that make one part of a document depend on another, or that a split could change the sense of. */
const UNSPLITTABLE = new Set(['anchor', 'alias', 'tag', 'directive-line', 'doc-start', 'doc-end', 'flow-error-end', 'byte-order-mark']);

const lineCount = (text: string, from: number, to: number) => {
  let lines = 0;
  for (let at = text.indexOf('\n', from); at >= 0 && at < to; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
};

/**
 * The file split into the rest and slices of at most `itemsPerSlice` monitors; undefined when it has fewer items
 * than two slices would hold, or cannot be split safely.
 */
export function splitMonitors(text: string, itemsPerSlice: number): SplitMonitors | undefined {
  // Each item starts a line of its own: a text with no more lines than a slice holds items is never split, and
  // counting lines costs a fraction of lexing it (7 ms for a file of 1,000 monitors).
  if (!moreLinesThan(text, itemsPerSlice)) return undefined;
  let offset = 0;
  let flowDepth = 0;
  let atScalar = false;
  // The state of the current line: where it starts, its indentation, whether a token other than space was seen.
  let lineStart = 0;
  let indent = 0;
  let atLineStart = true;
  // Where the top-level `monitors:` stands, then where its items start and end.
  let phase: 'before' | 'key' | 'key-line' | 'items' | 'after' = 'before';
  let itemIndent = -1;
  const itemStarts: number[] = [];
  let itemsEnd = -1;
  // A scalar at the start of a top-level line (a key, if `:` follows); a block scalar's header, then its text.
  let keyCandidate = false;
  let blockScalar: 'none' | 'header' | 'text' = 'none';

  for (const token of new Lexer().lex(text)) {
    if (atScalar) {
      // A scalar's text: it can hold line breaks (a block scalar, a multi-line quoted scalar), none of them a line
      // start of the structure. A block scalar's text runs to the start of the line after it.
      atScalar = false;
      // Only `:` follows the key, and nothing but a comment follows that on its line.
      if (phase === 'key' || phase === 'key-line') return undefined;
      if (keyCandidate && token === 'monitors' && phase === 'before') phase = 'key';
      offset += token.length;
      if (blockScalar === 'text') {
        blockScalar = 'none';
        lineStart = offset;
        indent = 0;
        atLineStart = true;
      }
      continue;
    }
    const type = CST.tokenType(token);
    if (type === null || UNSPLITTABLE.has(type)) return undefined;
    if (type === 'doc-mode') continue;
    if (type === 'scalar') {
      atScalar = true;
      if (blockScalar === 'header') {
        blockScalar = 'text';
        continue;
      }
      keyCandidate = atLineStart && indent === 0 && flowDepth === 0;
      if (atLineStart && !onLineStart()) return undefined;
      continue;
    }
    keyCandidate = false;
    if (type === 'newline') {
      if (phase === 'key') return undefined;
      if (phase === 'key-line') phase = 'items';
      offset += token.length;
      lineStart = offset;
      indent = 0;
      atLineStart = true;
      continue;
    }
    if (type === 'space' && atLineStart) {
      // YAML indents with spaces only; a tab there is for the parser to refuse, with the whole text in view.
      if (token.includes('\t')) return undefined;
      indent += token.length;
      offset += token.length;
      continue;
    }
    if (type === 'space' || type === 'comment') {
      offset += token.length;
      continue;
    }
    if (type === 'map-value-ind' && phase === 'key') {
      phase = 'key-line';
      offset += token.length;
      continue;
    }
    if (phase === 'key' || phase === 'key-line') return undefined;
    if (atLineStart && !onLineStart(type)) return undefined;
    if (type === 'block-scalar-header') blockScalar = 'header';
    else if (type === 'flow-map-start' || type === 'flow-seq-start') flowDepth++;
    else if (type === 'flow-map-end' || type === 'flow-seq-end') flowDepth--;
    offset += token.length;
  }
  // The lexer's tokens are the text itself: if they do not add up to it, this reading of them is wrong.
  if (offset !== text.length || phase === 'key' || phase === 'key-line') return undefined;
  if (phase === 'items') itemsEnd = text.length;
  if (itemStarts.length <= itemsPerSlice) return undefined;

  const slices: TextPiece[] = [];
  let lineBase = lineCount(text, 0, itemStarts[0]!);
  for (let first = 0; first < itemStarts.length; first += itemsPerSlice) {
    const from = itemStarts[first]!;
    const to = first + itemsPerSlice < itemStarts.length ? itemStarts[first + itemsPerSlice]! : itemsEnd;
    slices.push({ text: text.slice(from, to), lineBase });
    lineBase += lineCount(text, from, to);
  }
  const regionStart = itemStarts[0]!;
  const rest = text.slice(0, regionStart) + '\n'.repeat(lineCount(text, regionStart, itemsEnd)) + text.slice(itemsEnd);
  return { rest: { text: rest, lineBase: 0 }, slices };

  /**
   * The first token of a line other than indentation (undefined type: a scalar). Returns false when the sequence's
   * lines are not as a split needs them.
   */
  function onLineStart(type?: string): boolean {
    atLineStart = false;
    if (phase !== 'items' || flowDepth !== 0) return true;
    if (type === 'seq-item-ind') {
      if (itemIndent < 0) itemIndent = indent;
      if (indent === itemIndent) {
        itemStarts.push(lineStart);
        return true;
      }
    }
    if (itemStarts.length === 0) return false;
    if (indent > itemIndent) return true;
    // A line at the top level ends the sequence; one between the top level and the items is for the parser to
    // refuse, with the whole text in view.
    if (indent !== 0) return false;
    itemsEnd = lineStart;
    phase = 'after';
    return true;
  }
}

/**
 * Whether `text` has more than `count` lines (`\r\n` and `\n` end one; a text whose only line breaks are lone `\r`
 * counts as one line, and is parsed whole).
 */
function moreLinesThan(text: string, count: number): boolean {
  if (!Number.isFinite(count)) return false;
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    if (++lines > count) return true;
  }
  return false;
}
