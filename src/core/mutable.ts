// A writable view of a readonly record type: for code that builds such a record field by field
// (options set one by one, a record finished in place) before handing it out as readonly.
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
