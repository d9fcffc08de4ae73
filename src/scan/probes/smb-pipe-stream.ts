// An open SMB named pipe as the byte stream the DCE/RPC client talks over (ncacn_np, MS-RPCE
// 2.1.1.2): each write is one pipe exchange (TransactNmPipe or FSCTL_PIPE_TRANSCEIVE) whose answer
// arrives as 'data', in order; a failed exchange closes the stream and keeps the reason.

import { EventEmitter } from 'node:events';
import type { RpcByteStream } from './rpc-client.js';
import type { SmbPipe } from './smb-session.js';

export class SmbPipeStream extends EventEmitter implements RpcByteStream {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Why the stream closed, when an exchange failed. */
  failure: string | undefined;

  constructor(private readonly pipe: SmbPipe) {
    super();
  }

  write(b: Uint8Array): boolean {
    const copy = Uint8Array.prototype.slice.call(b);
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        const answer = await this.pipe.transceive(copy);
        if (!this.closed && answer.length > 0) this.emit('data', Buffer.from(answer.buffer, answer.byteOffset, answer.length));
      } catch (e) {
        this.failure = e instanceof Error ? e.message : String(e);
        this.destroy();
      }
    });
    return true;
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.pipe.close();
    this.emit('close');
  }
}
