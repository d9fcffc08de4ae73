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
import { handleProber, outcomeOf, type ProbeOutcome } from './handle-probe.js';

export type { ProbeOutcome } from './handle-probe.js';


export interface Connector {
  /** The state of host:port by a handshake; the connection is closed at once. */
  probe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome>;
  /** Several ports of one host in one call, where the connector can do that cheaper. */
  probeMany?(host: string, ports: readonly number[], timeoutMs: number): Promise<ProbeOutcome[]>;
  /** A connecting stream socket for a conversation (net.connect's contract). */
  open(host: string, port: number): Socket;
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

const openSocket = (host: string, port: number): Socket => netConnect({ host, port, noDelay: true });

/** Probes on Node's bare TCP handle in this thread, or on net.Socket where that is missing. */
export function defaultConnector(): Connector {
  const prober = handleProber();
  if (!prober) return { probe: (host, port, t) => socketProbe(openSocket, host, port, t), open: openSocket };
  return { probe: (host, port, t) => prober.probe(host, port, t), probeMany: (host, ports, t) => prober.probeMany(host, ports, t), open: openSocket };
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
