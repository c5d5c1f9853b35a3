const EMPTY: readonly never[] = Object.freeze([]);

/**
 * One copy of each repeated string, and one empty list for all, in a loaded configuration. Every monitor's
 * `type: http`, `method: GET`, the file it comes from and the like arrive as strings of their own — YAML makes one
 * per scalar, and a configuration parsed in a worker thread is copied across with a string per occurrence. The
 * configuration is kept for as long as its monitors run, so at 10,000 monitors the copies were megabytes
 * (docs/benchmarks.md, issue 16).
 *
 * Walks plain data (objects, arrays, maps) in place; returns the value for convenience. The shared empty list is
 * frozen: the configuration is read, never changed in place.
 */
export function shareRepeatedValues<T>(value: T): T {
  const strings = new Map<string, string>();
  const share = (text: string): string => {
    const known = strings.get(text);
    if (known !== undefined) return known;
    strings.set(text, text);
    return text;
  };
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return share(node);
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) {
      if (node.length === 0) return EMPTY;
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i]);
    } else if (node instanceof Map) {
      const entries = [...node];
      node.clear();
      for (const [key, item] of entries) node.set(walk(key), walk(item));
    } else if (Object.getPrototypeOf(node) === Object.prototype) {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        if (typeof item === 'string' || (item !== null && typeof item === 'object')) record[key] = walk(item);
      }
    }
    return node;
  };
  return walk(value) as T;
}
