// The MS03-026 / MS03-039 checks over the \PIPE\epmapper named pipe (ncacn_np) instead of TCP 135:
// RPCSS listens on that pipe as well as on 135 (an XP or 2003 endpoint mapper lists the tower
// ncacn_np:\\HOST[\PIPE\epmapper]) and serves IRemoteActivation there too, so a host whose 135 is
// filtered but 445 or 139 open can still be checked. Negotiate, an anonymous (null) session, IPC$, the pipe,
// then the very probes and verdicts of ms03-026-check.ts over the pipe. Only an anonymous NTLMSSP
// logon is ever sent; a host that refuses it, or has no such pipe, gets "unknown" with the reason.

import type { Socket } from 'node:net';
import type { CheckObservation } from '../../model/scan.js';
import { ANY_SMB_SERVER } from '../../protocols/smb/netbios-name.js';
import { bothChecks, checkRemoteActivation, type CheckPath } from './ms03-026-check.js';
import { ProbeError, type RpcClientLimits } from './rpc-client.js';
import { SmbClient, type SmbClientLimits } from './smb-client.js';
import { SmbPipeStream } from './smb-pipe-stream.js';
import { anonymousLogon, negotiate, ntlmChallenge, openPipe } from './smb-session.js';

/** Our NetBIOS name in a session request on 139. */
export const CALLING_NAME = 'VIGIL-SCAN';

export async function checkOverEpmapperPipe(
  host: string, port: number, connect: () => Promise<Socket | undefined>, limits: { rpc: RpcClientLimits; smb: SmbClientLimits }, wanted: readonly string[],
): Promise<CheckObservation[]> {
  const pick = (list: CheckObservation[]): CheckObservation[] => list.filter((o) => wanted.includes(o.check));
  let path: CheckPath = { port, transport: 'ncacn_np', via: `port ${port}, \\PIPE\\epmapper over SMB` };
  const s = await connect();
  if (!s) return pick(bothChecks(path, 'unknown', 'no connection for the pipe check'));
  const c = new SmbClient(s, limits.smb);
  try {
    if (port === 139) await c.sessionRequest(ANY_SMB_SERVER, CALLING_NAME);
    const n = await negotiate(c, true);
    path = { ...path, via: `port ${port}, \\PIPE\\epmapper over SMB ${n.dialect}` };
    if (!n.extendedSecurity) return pick(bothChecks(path, 'unknown', 'the host offers no NTLMSSP (no extended security): no anonymous session for the pipe'));
    const { challenge } = await ntlmChallenge(c, n);
    await anonymousLogon(c, n, challenge);
    const pipe = await openPipe(c, n, host, 'epmapper');
    const stream = new SmbPipeStream(pipe);
    const out = await checkRemoteActivation(stream, port, limits.rpc, false, wanted, path);
    // a pipe exchange that failed says why better than "connection closed"
    return stream.failure ? out.map((o) => (o.verdict === 'unknown' ? { ...o, reason: `${o.reason}; ${stream.failure}` } : o)) : out;
  } catch (e) {
    if (!(e instanceof ProbeError)) throw e;
    return pick(bothChecks(path, 'unknown', `no pipe to RPCSS: ${e.message}`));
  } finally {
    c.close();
  }
}
