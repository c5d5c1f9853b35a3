/**
 * A binary min-heap whose items know their position, so any item can be removed or re-keyed in O(log n).
 * The scheduler keeps its due times, its waiting runs and its run deadlines in such heaps.
 */
export class IndexedHeap<T> {
  private readonly items: T[] = [];

  /**
   * @param less   strict order of two items
   * @param moved  called with an item's new position whenever it moves, and with -1 when it leaves the heap
   */
  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly moved: (item: T, index: number) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    const index = this.items.length - 1;
    this.moved(item, index);
    this.up(index);
  }

  pop(): T | undefined {
    return this.items.length === 0 ? undefined : this.remove(0);
  }

  /** Removes the item at `index` (as last reported through `moved`). */
  remove(index: number): T {
    const items = this.items;
    const item = items[index];
    if (item === undefined) throw new RangeError(`no heap item at ${index}`);
    const last = items.pop() as T;
    if (index < items.length) {
      items[index] = last;
      this.moved(last, index);
      this.down(index);
      this.up(index);
    }
    this.moved(item, -1);
    return item;
  }

  /** Restores the order after the key of the item at `index` changed. */
  update(index: number): void {
    this.down(index);
    this.up(index);
  }

  /** Removes every item. */
  clear(): void {
    for (const item of this.items) this.moved(item, -1);
    this.items.length = 0;
  }

  private up(index: number): void {
    const items = this.items;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.less(item, parent)) break;
      items[index] = parent;
      this.moved(parent, index);
      index = parentIndex;
    }
    items[index] = item;
    this.moved(item, index);
  }

  private down(index: number): void {
    const items = this.items;
    const length = items.length;
    const item = items[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.less(items[right] as T, items[left] as T)) child = right;
      const smaller = items[child] as T;
      if (!this.less(smaller, item)) break;
      items[index] = smaller;
      this.moved(smaller, index);
      index = child;
    }
    items[index] = item;
    this.moved(item, index);
  }
}
