// Hex helpers for tests, logs and JSON output of raw bytes.

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Parse hex, tolerating spaces, newlines and `//` comments, so test vectors can be annotated. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/\/\/[^\n]*/g, '').replace(/[^0-9a-fA-F]/g, '');
  if (clean.length % 2 !== 0) throw new RangeError('odd number of hex digits');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
