// One named pipe of the SMB persona: the same RpcResponder that serves port 135, given the pipe's
// interfaces, with its output kept here until the client reads it (ReadAndX, TransactNmPipe, SMB2
// READ or FSCTL_PIPE_TRANSCEIVE). Bounded: a client that writes and never reads cannot grow it.

import type { Direction } from '../../model/flow.js';
import type { VigilEvent } from '../../model/event.js';
import type { DcerpcLimitOverrides, DcerpcLimits } from '../../protocols/dcerpc/dcerpc-limits.js';
import type { PipeSink } from '../../protocols/smb/smb-connection.js';
import type { ServedInterface } from '../persona/persona-interfaces.js';
import type { PersonaConfig } from '../sensor-types.js';
import type { SessionRecorder } from '../session-recorder.js';
import type { ResponderContext, RpcShared } from './responder-types.js';
import { RpcResponder } from './rpc-responder.js';

/** Unread pipe output kept per pipe; past it replies are dropped and the limit is recorded. */
export const MAX_PIPE_OUTPUT_BYTES = 1024 * 1024;

export class PipeServer implements PipeSink, ResponderContext {
  private readonly out: Uint8Array[] = [];
  private outBytes = 0;
  private readonly server: RpcResponder;
  /** The RPC server gave up on the stream (a non-RPC write): reads get nothing more. */
  broken = false;

  constructor(
    private readonly parent: ResponderContext,
    readonly name: string,
    served: readonly ServedInterface[],
  ) {
    this.server = new RpcResponder(this, false, { name, served });
    this.server.start();
  }

  // ResponderContext, as the parent connection's, except that replies stay in the pipe.
  get record(): SessionRecorder {
    return this.parent.record;
  }
  get persona(): PersonaConfig {
    return this.parent.persona;
  }
  get basePort(): number {
    return this.parent.basePort;
  }
  get dcerpc(): DcerpcLimits {
    return this.parent.dcerpc;
  }
  get dcerpcOverrides(): DcerpcLimitOverrides {
    return this.parent.dcerpcOverrides;
  }
  get rpc(): RpcShared {
    return this.parent.rpc;
  }
  now(): number {
    return this.parent.now();
  }
  emit(event: VigilEvent): void {
    this.parent.emit(event);
  }
  send(bytes: Uint8Array): void {
    if (this.outBytes + bytes.length > MAX_PIPE_OUTPUT_BYTES) {
      this.parent.record.hit('smb_pipe_output_bytes');
      return;
    }
    this.out.push(bytes);
    this.outBytes += bytes.length;
  }
  end(): void {
    this.broken = true;
  }

  /** PipeSink: the client's writes go to the RPC server; our own replies it has already seen. */
  feed(dir: Direction, bytes: Uint8Array, _tsMs: number): void {
    if (dir !== 'to_server' || this.broken) return;
    this.server.data(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }
  gap(_dir: Direction): void {}
  close(_tsMs: number): void {
    this.server.finish();
  }

  get available(): number {
    return this.outBytes;
  }
  get held(): number {
    return this.outBytes + this.server.held();
  }

  /** Up to `max` bytes of output, oldest first. */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.outBytes);
    const data = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.out[0];
      const k = Math.min(head.length, n - at);
      data.set(head.subarray(0, k), at);
      at += k;
      if (k === head.length) this.out.shift();
      else this.out[0] = head.subarray(k);
    }
    this.outBytes -= n;
    return data;
  }
}
