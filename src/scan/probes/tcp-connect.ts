// TCP connect probe (nmap -sT): a full handshake tells open; a refusal tells closed; silence until
// the timeout (or no route) tells filtered. Connections come from an injected Connector, so tests can
// count (and forbid) every connection the scanner opens.
//
// The port-state probe needs no stream, only the handshake's outcome, and a net.Socket costs about
// 55 us of CPU per connection attempt (stream state, events, nextTick hops), three times what nmap
// spends: so the default connector takes Node's own TCP handle (the `tcp_wrap` binding net.Socket is
// built on, reached through process.binding, Node 20's documented compatibility path) for the probe,
// written here because no library exposes a bare connect, and falls back to net.Socket where that
// binding is absent. Conversations (RPC, SMB) always use a net.Socket from `open`.

import { connect as netConnect, type Socket } from 'node:net';
import type { PortState } from '../../model/scan.js';

export interface ProbeOutcome {
  readonly state: PortState;
  /** errno name of a failure other than a refusal (EHOSTUNREACH, ...), for the host's error list. */
  readonly error?: string;
}

export interface Connector {
  /** The state of host:port by a handshake; the connection is closed at once. */
  probe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome>;
  /** A connecting stream socket for a conversation (net.connect's contract). */
  open(host: string, port: number): Socket;
}

/** Errors that mean nothing answered (a filter drops, or no route): the port is filtered. */
const FILTERED = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/** libuv status (negative errno) to its name, for the few the probe tells apart. */
const UV_NAMES: Readonly<Record<number, string>> = { [-111]: 'ECONNREFUSED', [-110]: 'ETIMEDOUT', [-113]: 'EHOSTUNREACH', [-101]: 'ENETUNREACH', [-112]: 'EHOSTDOWN', [-104]: 'ECONNRESET' };

function outcomeOf(code: string | undefined): ProbeOutcome {
  if (code === 'ECONNREFUSED') return { state: 'closed' };
  return { state: FILTERED.has(code ?? '') ? 'filtered' : 'closed', error: code ?? 'unknown error' };
}

/** The probe on a net.Socket: the fallback, and what a counting test connector builds on. */
export function socketProbe(open: (host: string, port: number) => Socket, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = open(host, port);
    const done = (o: ProbeOutcome): void => {
      clearTimeout(timer);
      s.removeAllListeners('connect');
      s.removeAllListeners('close');
      s.on('error', () => undefined);
      s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ state: 'filtered' }), timeoutMs);
    s.once('connect', () => done({ state: 'open' }));
    s.once('error', (e: NodeJS.ErrnoException) => done(outcomeOf(e.code)));
    // closed by the peer before the handshake finished, with no error: treat as a refusal
    s.once('close', () => done({ state: 'closed' }));
  });
}

interface TcpHandle {
  connect(req: object, address: string, port: number): number;
  connect6(req: object, address: string, port: number): number;
  close(cb?: () => void): void;
}
interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => { oncomplete?: (status: number) => void; address?: string; port?: number };
  constants: { SOCKET: number };
}

function tcpWrap(): TcpWrapBinding | undefined {
  try {
    const b = (process as unknown as { binding(name: string): TcpWrapBinding }).binding('tcp_wrap');
    return typeof b?.TCP === 'function' && typeof b.TCPConnectWrap === 'function' ? b : undefined;
  } catch {
    return undefined;
  }
}

/** Probes in progress and their deadlines, swept by one timer: a setTimeout per attempt would cost
 * more than the attempt itself on a fast network. */
class HandleProber {
  private readonly pending = new Set<{ deadline: number; finish: (o: ProbeOutcome) => void }>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly b: TcpWrapBinding) {}

  private sweep(): void {
    const now = performance.now();
    for (const p of this.pending) if (p.deadline <= now) p.finish({ state: 'filtered' });
    if (this.pending.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  probe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const h = new this.b.TCP(this.b.constants.SOCKET);
      const req = new this.b.TCPConnectWrap();
      const entry = {
        deadline: performance.now() + timeoutMs,
        finish: (o: ProbeOutcome): void => {
          if (!this.pending.delete(entry)) return;
          h.close();
          resolve(o);
        },
      };
      this.pending.add(entry);
      // one timer for all: fine-grained enough for timeouts of 10 ms and more
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(5, Math.min(100, timeoutMs / 4)));
      req.oncomplete = (status: number) => entry.finish(status === 0 ? { state: 'open' } : outcomeOf(UV_NAMES[status] ?? `errno ${-status}`));
      req.address = host;
      req.port = port;
      const err = host.includes(':') ? h.connect6(req, host, port) : h.connect(req, host, port);
      if (err !== 0) entry.finish(outcomeOf(UV_NAMES[err] ?? `errno ${-err}`));
    });
  }
}

const openSocket = (host: string, port: number): Socket => netConnect({ host, port, noDelay: true });

export function defaultConnector(): Connector {
  const b = tcpWrap();
  const prober = b && new HandleProber(b);
  return {
    probe: prober ? (host, port, t) => prober.probe(host, port, t) : (host, port, t) => socketProbe(openSocket, host, port, t),
    open: openSocket,
  };
}

/** A connector over a socket factory (net.connect's shape): every connection goes through it. */
export function socketConnector(factory: (host: string, port: number) => Socket): Connector {
  return { probe: (host, port, t) => socketProbe(factory, host, port, t), open: factory };
}

/** Wait until a conversation socket connects (or fails): the socket, or undefined. */
export function whenConnected(s: Socket, timeoutMs: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.removeListener('connect', onConnect);
      s.removeListener('error', onError);
      if (!ok) {
        s.on('error', () => undefined);
        s.destroy();
      }
      resolve(ok ? s : undefined);
    };
    const onConnect = (): void => done(true);
    const onError = (): void => done(false);
    s.once('connect', onConnect);
    s.once('error', onError);
  });
}
