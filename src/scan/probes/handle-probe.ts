// The port-state probe on Node's bare TCP handle (the `tcp_wrap` binding net.Socket is built on,
// reached through process.binding, Node 20's documented compatibility path): a handshake and a close,
// no stream. Written here because no library exposes a bare connect; shared by the main thread and
// the probe threads (probe-threads.ts). Undefined where the binding is missing.
//
// On loopback a refused attempt costs about as much in the kernel as in JS, so the JS side is kept to
// two native objects per attempt: the attempt's state rides on the connect request itself, one shared
// function completes every attempt (no closure, promise or timer per attempt), the outcomes are
// shared constants, and timeouts come from one FIFO of deadlines per timeout value swept by one timer.
// A finished attempt is unlinked at once, so nothing dead stays reachable from long-lived objects
// (which made every young-generation GC copy it: the earlier Set-and-closure version spent a tenth
// of its CPU in the scavenger).

import type { PortState } from '../../model/scan.js';

export interface ProbeOutcome {
  readonly state: PortState;
  /** errno name of a failure other than a refusal (EHOSTUNREACH, ...), for the host's error list. */
  readonly error?: string;
}

export const OPEN: ProbeOutcome = Object.freeze({ state: 'open' });
export const CLOSED: ProbeOutcome = Object.freeze({ state: 'closed' });
export const FILTERED: ProbeOutcome = Object.freeze({ state: 'filtered' });

/** Errors that mean nothing answered (a filter drops, or no route): the port is filtered. */
const FILTERED_ERRORS = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

/** libuv status (negative errno) to its name, for the few the probe tells apart. */
const UV_NAMES: Readonly<Record<number, string>> = { [-111]: 'ECONNREFUSED', [-110]: 'ETIMEDOUT', [-113]: 'EHOSTUNREACH', [-101]: 'ENETUNREACH', [-112]: 'EHOSTDOWN', [-104]: 'ECONNRESET' };

export function outcomeOf(code: string | undefined): ProbeOutcome {
  if (code === 'ECONNREFUSED') return CLOSED;
  return { state: FILTERED_ERRORS.has(code ?? '') ? 'filtered' : 'closed', error: code ?? 'unknown error' };
}

const outcomeOfStatus = (status: number): ProbeOutcome => (status === 0 ? OPEN : status === -111 ? CLOSED : outcomeOf(UV_NAMES[status] ?? `errno ${-status}`));

interface TcpHandle {
  connect(req: object, address: string, port: number): number;
  connect6(req: object, address: string, port: number): number;
  close(cb?: () => void): void;
}
interface ConnectReq {
  oncomplete?: (this: ConnectReq, status: number) => void;
  address?: string;
  port?: number;
}
interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectReq;
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

/** The ports of one host in flight: outcomes fill in by index, `done` runs when the last one lands. */
interface HostAttempts {
  readonly out: ProbeOutcome[];
  left: number;
  readonly done: (outcomes: ProbeOutcome[]) => void;
}

/** One attempt's state, kept on its connect request (the object the binding calls back on). */
interface Attempt extends ConnectReq {
  handle: TcpHandle | undefined;
  host: HostAttempts | undefined;
  index: number;
  deadline: number;
  /** Position in its deadline line (absolute: the line's `base` + array index). */
  slot: number;
  line: DeadlineLine;
}

/** Attempts of one timeout value in the order they started, which is also the order of their
 * deadlines: the sweep only ever looks at the front. Finished attempts leave a hole. */
interface DeadlineLine {
  queue: (Attempt | undefined)[];
  head: number;
  /** Absolute slot number of queue[0]. */
  base: number;
}

export class HandleProber {
  private readonly lines = new Map<number, DeadlineLine>();
  private live = 0;
  private sweeper: NodeJS.Timeout | undefined;
  /** The one completion function of every attempt: `this` is the attempt's connect request. */
  private readonly oncomplete: (this: ConnectReq, status: number) => void;

  constructor(private readonly b: TcpWrapBinding) {
    const finish = (a: Attempt, o: ProbeOutcome): void => this.finish(a, o);
    this.oncomplete = function (this: ConnectReq, status: number) {
      finish(this as Attempt, outcomeOfStatus(status));
    };
  }

  /** Attempts started and not finished. */
  get inFlight(): number {
    return this.live;
  }

  /** Several ports of one host at once, with one callback for all of them. */
  startMany(host: string, ports: readonly number[], timeoutMs: number, done: (outcomes: ProbeOutcome[]) => void): void {
    if (ports.length === 0) {
      done([]);
      return;
    }
    const h: HostAttempts = { out: new Array<ProbeOutcome>(ports.length), left: ports.length, done };
    const line = this.line(timeoutMs);
    const deadline = performance.now() + timeoutMs;
    const v6 = host.includes(':');
    for (let i = 0; i < ports.length; i++) {
      const handle = new this.b.TCP(this.b.constants.SOCKET);
      const a = new this.b.TCPConnectWrap() as Attempt;
      a.oncomplete = this.oncomplete;
      a.address = host;
      a.port = ports[i];
      a.handle = handle;
      a.host = h;
      a.index = i;
      a.deadline = deadline;
      a.line = line;
      a.slot = line.base + line.queue.length;
      line.queue.push(a);
      this.live++;
      const err = v6 ? handle.connect6(a, host, ports[i]) : handle.connect(a, host, ports[i]);
      if (err !== 0) this.finish(a, outcomeOfStatus(err));
    }
    // one timer for all: fine-grained enough for timeouts of 10 ms and more
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(5, Math.min(100, timeoutMs / 4)));
  }

  /** Several ports of one host at once: one promise for all. */
  probeMany(host: string, ports: readonly number[], timeoutMs: number): Promise<ProbeOutcome[]> {
    return new Promise((resolve) => this.startMany(host, ports, timeoutMs, resolve));
  }

  probe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
    return new Promise((resolve) => this.startMany(host, [port], timeoutMs, (o) => resolve(o[0])));
  }

  private line(timeoutMs: number): DeadlineLine {
    let l = this.lines.get(timeoutMs);
    if (!l) this.lines.set(timeoutMs, (l = { queue: [], head: 0, base: 0 }));
    return l;
  }

  private finish(a: Attempt, o: ProbeOutcome): void {
    const h = a.host;
    if (h === undefined) return; // already finished (a late completion after the timeout closed it)
    a.host = undefined;
    a.line.queue[a.slot - a.line.base] = undefined;
    a.handle!.close();
    a.handle = undefined;
    this.live--;
    h.out[a.index] = o;
    if (--h.left === 0) h.done(h.out);
  }

  private sweep(): void {
    const now = performance.now();
    for (const [t, l] of this.lines) {
      while (l.head < l.queue.length) {
        const a = l.queue[l.head];
        if (a !== undefined) {
          if (a.deadline > now) break;
          this.finish(a, FILTERED);
        }
        l.head++;
      }
      if (l.head === l.queue.length) this.lines.delete(t);
      else if (l.head > 1024 && l.head * 2 > l.queue.length) {
        l.queue = l.queue.slice(l.head);
        l.base += l.head;
        l.head = 0;
      }
    }
    if (this.live === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}

export function handleProber(): HandleProber | undefined {
  const b = tcpWrap();
  return b && new HandleProber(b);
}
