// What a per-port responder sees and may do. Responders speak a protocol on one connection; the
// listener owns the socket, the limits and the record, so a responder can never exceed them.

import type { VigilEvent } from '../../model/event.js';
import type { DcerpcLimitOverrides, DcerpcLimits } from '../../protocols/dcerpc/dcerpc-limits.js';
import type { PduDecoder } from '../../protocols/dcerpc/pdu-decode.js';
import type { NameLookup } from '../../protocols/dcerpc/connection.js';
import type { PersonaConfig } from '../sensor-types.js';
import type { AssocGroupIds } from './assoc-group-ids.js';
import type { SessionRecorder } from '../session-recorder.js';

export interface ResponderContext {
  readonly record: SessionRecorder;
  readonly persona: PersonaConfig;
  /** Base port the responder was chosen for (135, 593, 4444, ...), independent of any offset. */
  readonly basePort: number;
  now(): number;
  /** Write to the peer (counted as bytes out). Ignored once the connection is closing. */
  send(bytes: Uint8Array): void;
  /** Close after flushing what was sent, e.g. after a bind_nak. */
  end(): void;
  /** DCE/RPC limits (framer and reassembly) for the RPC ports. */
  readonly dcerpc: DcerpcLimits;
  /** The same limits as overrides of the codec's defaults (only what differs), for DcerpcConnection. */
  readonly dcerpcOverrides: DcerpcLimitOverrides;
  /** What the RPC responders of one sensor share (never module state: two sensors in one process
   * keep their own). */
  readonly rpc: RpcShared;
  /** Emit an event for the detectors (through the sensor's bounded queue). */
  emit(event: VigilEvent): void;
}

export interface RpcShared {
  /** The PDU decoder of every DCE/RPC connection of the sensor. */
  readonly decoder: PduDecoder;
  readonly assocGroupIds: AssocGroupIds;
  /** Interface and operation names of call records (the sensor's CallNames memo). */
  readonly names: NameLookup;
}

export interface Responder {
  /** Connection opened: a banner may be sent here. */
  start(): void;
  /** Bytes from the peer (already counted and recorded by the listener). */
  data(chunk: Buffer): void;
  /** Connection over: complete what is pending (calls without a response, partial lines). */
  finish(): void;
  /** Bytes the responder holds for this peer (partial messages, reassembly); default 0. */
  held?(): number;
  /** Whether the peer is part-way through a message (a partial PDU or line): a peer that trickles
   * one slowly is closed by the byte-rate floor. Default true (a responder that parses nothing
   * cannot tell). */
  midMessage?(): boolean;
}

export type ResponderFactory = (ctx: ResponderContext) => Responder;
