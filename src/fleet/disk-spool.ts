// The sensor's disk spool: fleet messages that JetStream has not acknowledged yet, as JSON lines
// appended and fsynced before a write is acknowledged, replayed from a persisted read offset in order.
// Hand-written (about 150 lines): no npm library offers a bounded, fsynced, offset-tracked FIFO file.

import { closeSync, fdatasyncSync, fstatSync, openSync, readSync, renameSync, writeFileSync, writeSync, readFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
import { ensurePrivateDir, ensurePrivateFile } from '../core/private-files.js';
import type { FleetMessage } from './fleet-wire.js';

export interface SpoolStats {
  /** Bytes in the spool file not yet replayed. */
  readonly pendingBytes: number;
  /** Messages refused because the spool was full (not acknowledged to the sensor). */
  readonly dropped: number;
  readonly spooled: number;
  readonly replayed: number;
}

/** Longest line the spool reads back: a message plus its envelope (larger lines are corruption). */
const MAX_LINE_BYTES = 2 * 1024 * 1024;

export class DiskSpool {
  private readonly file: string;
  private readonly offsetFile: string;
  private readonly fd: number;
  private size: number;
  private offset: number;
  private stats = { dropped: 0, spooled: 0, replayed: 0 };

  /** Opens (creating 0700/0600) `dir`/spool.jsonl and its offset; what a crash left is kept for replay. */
  constructor(
    dir: string,
    private readonly maxBytes: number,
  ) {
    ensurePrivateDir(dir);
    this.file = join(dir, 'spool.jsonl');
    this.offsetFile = join(dir, 'spool.offset');
    ensurePrivateFile(this.file);
    this.fd = openSync(this.file, 'a+', 0o600);
    this.size = fstatSync(this.fd).size;
    this.offset = Math.min(this.readOffset(), this.size);
    this.endTornLine();
  }

  get isEmpty(): boolean {
    return this.offset >= this.size;
  }

  get snapshot(): SpoolStats {
    return { pendingBytes: this.size - this.offset, ...this.stats };
  }

  /**
   * Append and fsync: when this returns the messages survive a crash. Over the bound, throws
   * VIGIL_ERR_LIMIT and keeps nothing of the batch (counted in `dropped`).
   */
  append(messages: readonly FleetMessage[]): void {
    if (messages.length === 0) return;
    const text = messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
    const bytes = Buffer.from(text, 'utf8');
    if (this.size - this.offset + bytes.length > this.maxBytes) {
      this.stats.dropped += messages.length;
      throw new AppError('VIGIL_ERR_LIMIT', `fleet spool full (${this.maxBytes} bytes): ${messages.length} messages refused`, { maxBytes: this.maxBytes });
    }
    let at = 0;
    while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
    fdatasyncSync(this.fd);
    this.size += bytes.length;
    this.stats.spooled += messages.length;
  }

  /** Up to `maxMessages` messages from the read offset, and the offset after them (for commit). */
  peek(maxMessages: number, maxBytes = 1024 * 1024): { messages: FleetMessage[]; next: number } {
    const want = Math.min(this.size - this.offset, Math.max(maxBytes, MAX_LINE_BYTES));
    const buf = Buffer.alloc(want);
    const got = readSync(this.fd, buf, 0, want, this.offset);
    const messages: FleetMessage[] = [];
    let pos = 0;
    while (messages.length < maxMessages && pos < got) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0 || nl >= got) break;
      const line = buf.subarray(pos, nl);
      pos = nl + 1;
      try {
        const m = JSON.parse(line.toString('utf8')) as FleetMessage;
        if (typeof m.subject === 'string' && typeof m.id === 'string' && typeof m.body === 'string') messages.push(m);
      } catch {
        // A torn last line from a crash mid-append was never acknowledged: skip it.
      }
      if (pos >= maxBytes) break;
    }
    if (pos === 0 && got >= MAX_LINE_BYTES) pos = got; // no newline in a whole window: corruption, skip it
    return { messages, next: this.offset + pos };
  }

  /** The messages up to `next` are in JetStream: move the read offset (and empty the file when all are). */
  commit(next: number, count: number): void {
    this.offset = Math.min(next, this.size);
    this.stats.replayed += count;
    if (this.offset >= this.size) {
      // Everything replayed: start the file again so it does not grow forever.
      ftruncateSync(this.fd, 0);
      fdatasyncSync(this.fd);
      this.size = 0;
      this.offset = 0;
    }
    this.writeOffset();
  }

  close(): void {
    closeSync(this.fd);
  }

  /** A crash mid-append leaves a line without its newline; end it so the next append starts a line
   * of its own (the torn one is then skipped as unparsable instead of swallowing the next message). */
  private endTornLine(): void {
    if (this.size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.size - 1);
    if (last[0] === 0x0a) return;
    writeSync(this.fd, '\n');
    fdatasyncSync(this.fd);
    this.size += 1;
  }

  private readOffset(): number {
    try {
      const n = Number(readFileSync(this.offsetFile, 'utf8').trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  /** Write-then-rename so a crash leaves the old or the new offset, never a torn one; an old offset
   * only means re-publishing messages that JetStream and the hub then deduplicate. */
  private writeOffset(): void {
    const tmp = `${this.offsetFile}.tmp`;
    writeFileSync(tmp, String(this.offset), { mode: 0o600 });
    renameSync(tmp, this.offsetFile);
  }
}
