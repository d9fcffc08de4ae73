// The 32-bit integer hash the per-owner tables (owner-set-table.ts, owner-map-table.ts) probe with:
// the first two rounds of MurmurHash3's finaliser (fmix32), enough to spread IPv4 addresses and
// ports whose low bits repeat. One definition so both tables hash alike.

export function mix32(k: number): number {
  const h = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
