// NDR64 (MS-RPCE 2.2.5) is recognised, not decoded: a call on a context that negotiated it is
// flagged `ndr64_not_decoded` so the record says why its arguments are missing.

import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';

export const NDR20_SYNTAX_UUID = '8a885d04-1ceb-11c9-9fe8-08002b104860';
export const NDR64_SYNTAX_UUID = '71710533-beba-4937-8319-b5dbef9ccc36';

export function isNdr64(transferSyntaxUuid: string | undefined): boolean {
  return transferSyntaxUuid?.toLowerCase() === NDR64_SYNTAX_UUID;
}

/** The anomaly to attach to a call whose stub is in a transfer syntax we do not decode, if any. */
export function transferSyntaxAnomaly(transferSyntaxUuid: string | undefined): Anomaly | undefined {
  if (transferSyntaxUuid === undefined || transferSyntaxUuid.toLowerCase() === NDR20_SYNTAX_UUID) return undefined;
  if (isNdr64(transferSyntaxUuid)) return dcerpcAnomaly('ndr64_not_decoded', 'stub is NDR64; arguments not decoded');
  return dcerpcAnomaly('protocol_violation', `unknown transfer syntax ${transferSyntaxUuid}; arguments not decoded`);
}
