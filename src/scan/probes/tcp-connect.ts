// TCP connect probe (nmap -sT): a full handshake tells open; a reset tells closed; silence until the
// timeout tells filtered. The socket comes from an injected factory, so tests can count (and forbid)
// every connection the scanner opens.

import { connect as netConnect, type Socket } from 'node:net';
import type { PortState } from '../../model/scan.js';

/** net.connect's shape: what the scanner needs to open a TCP connection. */
export type SocketFactory = (opts: { host: string; port: number }) => Socket;

export const defaultSocketFactory: SocketFactory = (opts) => netConnect({ host: opts.host, port: opts.port, noDelay: true });

export interface ConnectOutcome {
  readonly state: PortState;
  /** The connected socket when open and `keep` was asked; the caller owns (and must destroy) it. */
  readonly socket?: Socket;
  /** errno of a failure other than a refusal (EHOSTUNREACH, ...), for the host's error list. */
  readonly error?: string;
}

/** Errors that mean nothing answered (a filter drops, or no route): the port is filtered. */
const FILTERED = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);

export function tcpConnect(factory: SocketFactory, host: string, port: number, timeoutMs: number, keep: boolean): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const s = factory({ host, port });
    const done = (o: ConnectOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.removeAllListeners('connect');
      if (!o.socket) s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ state: 'filtered' }), timeoutMs);
    s.once('connect', () => done(keep ? { state: 'open', socket: s } : { state: 'open' }));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') done({ state: 'closed' });
      else done({ state: FILTERED.has(e.code ?? '') ? 'filtered' : 'closed', error: e.code ?? e.message });
    });
    // closed by the peer before the handshake finished, with no error: treat as a refusal
    s.once('close', () => done({ state: 'closed' }));
  });
}
