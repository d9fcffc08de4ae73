// Which responder speaks on which base port, and the service name recorded for it. 135 (epmapper)
// and 593 (ncacn_http) carry DCE/RPC with the Windows persona, 139 and 445 SMB with its named pipes;
// 4444 is Blaster's bind shell.

import type { ResponderFactory } from './responder-types.js';
import { silentResponder } from './silent-responder.js';
import { shellResponder } from './shell-responder.js';
import { rpcResponder, rpcOverHttpResponder } from './rpc-responder.js';
import { smbResponder } from './smb-responder.js';

const TABLE: Readonly<Record<number, { service: string; factory: ResponderFactory }>> = {
  135: { service: 'dcerpc', factory: rpcResponder },
  593: { service: 'ncacn_http', factory: rpcOverHttpResponder },
  139: { service: 'netbios-ssn', factory: smbResponder },
  445: { service: 'smb', factory: smbResponder },
  4444: { service: 'shell', factory: shellResponder },
};

export function responderFor(basePort: number): ResponderFactory {
  return TABLE[basePort]?.factory ?? silentResponder;
}

export function serviceFor(basePort: number): string {
  return TABLE[basePort]?.service ?? 'unknown';
}
