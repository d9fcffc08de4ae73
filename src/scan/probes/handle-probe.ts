// The port-state probe on Node's bare TCP handle (the `tcp_wrap` binding net.Socket is built on,
// reached through process.binding, Node 20's documented compatibility path): a handshake and a close,
// no stream. Written here because no library exposes a bare connect; shared by the main thread and
// the probe threads (probe-threads.ts). Undefined where the binding is missing.

import type { PortState } from '../../model/scan.js';

export interface ProbeOutcome {
  readonly state: PortState;
  /** errno name of a failure other than a refusal (EHOSTUNREACH, ...), for the host's error list. */
  readonly error?: string;
}

/** Errors that mean nothing answered (a filter drops, or no route): the port is filtered. */
const FILTERED = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/** libuv status (negative errno) to its name, for the few the probe tells apart. */
const UV_NAMES: Readonly<Record<number, string>> = { [-111]: 'ECONNREFUSED', [-110]: 'ETIMEDOUT', [-113]: 'EHOSTUNREACH', [-101]: 'ENETUNREACH', [-112]: 'EHOSTDOWN', [-104]: 'ECONNRESET' };

export function outcomeOf(code: string | undefined): ProbeOutcome {
  if (code === 'ECONNREFUSED') return { state: 'closed' };
  return { state: FILTERED.has(code ?? '') ? 'filtered' : 'closed', error: code ?? 'unknown error' };
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
export class HandleProber {
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

  /** Several ports of one host at once: one promise for all (a connect scan spends more on promises
   * than on the handshakes otherwise). */
  probeMany(host: string, ports: readonly number[], timeoutMs: number): Promise<ProbeOutcome[]> {
    return new Promise((resolve) => {
      const out = new Array<ProbeOutcome>(ports.length);
      let left = ports.length;
      for (let i = 0; i < ports.length; i++) {
        this.start(host, ports[i], timeoutMs, (o) => {
          out[i] = o;
          if (--left === 0) resolve(out);
        });
      }
    });
  }

  probe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => this.start(host, port, timeoutMs, resolve));
  }

  private start(host: string, port: number, timeoutMs: number, resolve: (o: ProbeOutcome) => void): void {
    {
      // the block keeps the handle's variables local to one attempt
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
    }
  }
}

export function handleProber(): HandleProber | undefined {
  const b = tcpWrap();
  return b && new HandleProber(b);
}
