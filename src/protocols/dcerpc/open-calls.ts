// The open calls of one connection by key, oldest first: a Map's semantics (get, set, delete,
// insertion order) held in a short array while a connection has few calls in flight.

/** Calls in flight before the table moves to a Map (pipelining clients; a peer may open 1024). */
const SMALL = 8;

/**
 * A Map per connection cost an allocation per connection and, as calls came and went, a new hash
 * table every few calls (a Map rehashes as deleted entries pile up and shrinks when it empties);
 * nearly every connection has one or two calls open at a time, which a linear scan finds faster.
 * The array is made on the first call: a capture holds thousands of idle connections.
 */
export class OpenCalls<T extends { readonly key: number }> {
  private list: T[] | undefined;
  private map: Map<number, T> | undefined;

  get size(): number {
    return this.map ? this.map.size : (this.list?.length ?? 0);
  }

  get(key: number): T | undefined {
    if (this.map) return this.map.get(key);
    const l = this.list;
    if (l === undefined) return undefined;
    for (let i = 0; i < l.length; i++) if (l[i].key === key) return l[i];
    return undefined;
  }

  /** As Map.set(value.key, value): a new key goes last, an existing key keeps its place. */
  set(value: T): void {
    if (this.map) {
      this.map.set(value.key, value);
      return;
    }
    const l = this.list;
    if (l === undefined) {
      this.list = [value];
      return;
    }
    for (let i = 0; i < l.length; i++) {
      if (l[i].key !== value.key) continue;
      l[i] = value;
      return;
    }
    if (l.length < SMALL) {
      l.push(value);
      return;
    }
    const map = new Map<number, T>();
    for (const v of l) map.set(v.key, v);
    map.set(value.key, value);
    this.map = map;
    this.list = undefined;
  }

  delete(key: number): void {
    if (this.map) {
      this.map.delete(key);
      return;
    }
    const l = this.list;
    if (l === undefined) return;
    let i = 0;
    while (i < l.length && l[i].key !== key) i++;
    if (i === l.length) return;
    // shifted down in place: the order is the age order
    for (; i < l.length - 1; i++) l[i] = l[i + 1];
    l.pop();
  }

  /** The entry set longest ago, or undefined when empty. */
  oldest(): T | undefined {
    if (this.map) return this.map.values().next().value;
    return this.list?.[0];
  }

  /** Every value, oldest first, as a new array (safe to delete while walking it). */
  snapshot(): T[] {
    if (this.map) return [...this.map.values()];
    return this.list === undefined ? [] : this.list.slice();
  }
}
