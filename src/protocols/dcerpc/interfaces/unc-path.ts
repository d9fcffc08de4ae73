// The server component of a UNC path (MS-DTYP 2.2.57 UNC: \\server\share\path). MS03-026 overflowed
// the buffer this component is copied into, so the detectors need it and its length exactly.

export interface UncServer {
  readonly server: string;
  readonly length: number;
}

/** The part between the leading `\\` and the next `\` (or the end); undefined when not a UNC path.
 * Forward slashes count too: the vulnerable parser treated both as separators. */
export function uncServer(name: string | undefined): UncServer | undefined {
  if (name === undefined || name.length < 3) return undefined;
  const sep = (c: string): boolean => c === '\\' || c === '/';
  if (!sep(name[0]) || !sep(name[1])) return undefined;
  let end = 2;
  while (end < name.length && !sep(name[end]) && name[end] !== '\0') end++;
  const server = name.slice(2, end);
  return { server, length: server.length };
}
