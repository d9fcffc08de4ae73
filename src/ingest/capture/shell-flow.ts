// Windows command shells seen in captures: a TCP stream whose first bytes from one side are a cmd.exe
// banner or prompt (`C:\WINNT\system32>`) is a bound or reverse shell on that side's host.

import { printableBytes } from '../../core/safe-text.js';
import type { CloseReason, DirIndex, TcpAppConsumer, TcpAppHandler, TcpConnection } from '../../protocols/pcap/tcp-tracker.js';
import type { RunContext, ShellSighting } from './pcap-types.js';

/** Bytes of a typed line kept (the sensor's maxPayloadEventChars default): longer lines are cut. */
export const MAX_SHELL_LINE_BYTES = 4096;
/** Lines kept per shell stream; the rest are counted (ShellSighting.linesCut). */
export const MAX_SHELL_LINES = 256;
/** Bytes of the first segment looked at for a banner or prompt. */
const SNIFF_BYTES = 512;

// What cmd.exe prints before it reads, as the very first bytes of its side: its banner (NT 4
// "Microsoft(R) Windows NT(TM)", later "Microsoft Windows ... [Version"), or with /q a bare
// drive-letter prompt. Anchored at the start: a web page or a file that merely contains a prompt
// further in is not a shell greeting.
const BANNER = /^(?:\r?\n)*Microsoft(?:\(R\))? Windows[^\r\n]{0,60}(?:\[Version [\d.]+\]|NT\(TM\))/;
const PROMPT = /^(?:\r?\n)*[A-Za-z]:\\[^\r\n<>|"]{0,200}>\s?$/;

/** The prompt or banner line `bytes` start with, or undefined when they are no cmd.exe greeting. */
export function cmdGreeting(b: Uint8Array, start: number, end: number): string | undefined {
  const text = Buffer.from(b.buffer, b.byteOffset + start, Math.min(end - start, SNIFF_BYTES)).toString('latin1');
  const banner = BANNER.exec(text);
  if (banner) return printableBytes(Buffer.from(banner[0].trim(), 'latin1'));
  const prompt = PROMPT.exec(text);
  return prompt ? printableBytes(Buffer.from(prompt[0].trim(), 'latin1')) : undefined;
}

export class ShellFlowHandler implements TcpAppHandler {
  constructor(private readonly ctx: RunContext) {}

  accept(conn: TcpConnection, dir: DirIndex, b: Uint8Array, start: number, end: number): TcpAppConsumer | undefined {
    const greeting = cmdGreeting(b, start, end);
    return greeting === undefined ? undefined : new ShellFlow(this.ctx, conn, dir, greeting);
  }
}

class ShellFlow implements TcpAppConsumer {
  private readonly lines: { tsMs: number; text: string }[] = [];
  private linesCut = 0;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private readonly promptTsMs: number;

  constructor(
    private readonly ctx: RunContext,
    private readonly tcp: TcpConnection,
    /** The side that presented the prompt: the compromised host. */
    private readonly hostDir: DirIndex,
    private readonly prompt: string,
  ) {
    this.promptTsMs = ctx.nowMs;
  }

  data(dir: DirIndex, bytes: Uint8Array, start: number, end: number): void {
    // The host's output (command results, prompts) is not what was typed.
    if (dir === this.hostDir) return;
    let from = start;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== 0x0a) continue;
      this.take(bytes.subarray(from, i));
      const line = Buffer.concat(this.pending);
      this.pending = [];
      this.pendingLen = 0;
      this.line(line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line);
      from = i + 1;
    }
    this.take(bytes.subarray(from, end));
  }

  /** Keep bytes of the line being typed up to MAX_SHELL_LINE_BYTES (copied: the view is the reader's). */
  private take(part: Uint8Array): void {
    const room = MAX_SHELL_LINE_BYTES - this.pendingLen;
    if (room <= 0 || part.length === 0) return;
    const kept = Buffer.from(part.subarray(0, room));
    this.pending.push(kept);
    this.pendingLen += kept.length;
  }

  private line(bytes: Uint8Array): void {
    if (this.lines.length >= MAX_SHELL_LINES) {
      this.linesCut++;
      return;
    }
    const text = printableBytes(bytes);
    if (text.trim()) this.lines.push({ tsMs: this.ctx.nowMs, text });
  }

  gap(dir: DirIndex): void {
    // A hole in what was typed ends the line: what follows is not its continuation.
    if (dir !== this.hostDir && this.pendingLen > 0) this.data(dir, Buffer.from('\n'), 0, 1);
  }

  anomaly(): void {}

  close(_reason: CloseReason): void {
    if (this.pendingLen > 0) {
      this.line(Buffer.concat(this.pending));
      this.pending = [];
      this.pendingLen = 0;
    }
    const t = this.tcp;
    const hostIsServer = this.hostDir === 1;
    const sighting: ShellSighting = {
      promptTsMs: this.promptTsMs,
      prompt: this.prompt,
      role: hostIsServer ? 'bind' : 'reverse',
      host: hostIsServer ? t.server : t.client,
      hostPort: hostIsServer ? t.serverPort : t.clientPort,
      peer: hostIsServer ? t.client : t.server,
      peerPort: hostIsServer ? t.clientPort : t.serverPort,
      lines: this.lines,
      linesCut: this.linesCut,
    };
    this.ctx.options.onShell?.(sighting);
  }
}
