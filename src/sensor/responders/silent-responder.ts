// Responder for ports where the persona stays silent (139, 445 and unknown ports): it only lets the
// listener count and record what the peer sends. SMB is out of scope for this persona; a silent
// accept still tells the detectors who probed which port.

import type { Responder, ResponderContext } from './responder-types.js';

export function silentResponder(_ctx: ResponderContext): Responder {
  return { start() {}, data() {}, finish() {} };
}
