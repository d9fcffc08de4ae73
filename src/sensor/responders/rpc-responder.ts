// PLACEHOLDER until the codec lands
import type { Responder, ResponderContext } from './responder-types.js';
import { silentResponder } from './silent-responder.js';
export function rpcResponder(ctx: ResponderContext): Responder {
  return silentResponder(ctx);
}
export function rpcOverHttpResponder(ctx: ResponderContext): Responder {
  return silentResponder(ctx);
}
