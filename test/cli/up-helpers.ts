// Helpers for the `vigil up` tests: free ports, a temporary data directory, an authorised API
// client, and a DCE/RPC exchange (bind + ept_lookup) to generate sessions with decoded calls.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTcp, createServer } from 'node:net';
import { encodeEptLookupRequest } from '../../src/protocols/dcerpc/interfaces/index.js';
import { RpcTestClient, ctx } from '../sensor/rpc-client.js';

export const EPM_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
}

/** A TCP port that was free a moment ago (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** An offset such that base+offset is free for every base port given (checked, not guaranteed). */
export async function freeOffset(bases: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 30_000);
    const ok = await Promise.all(bases.map((b) => portIsFree(b + offset)));
    if (ok.every(Boolean)) return offset;
  }
  throw new Error('no free port offset found');
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export async function api<T = unknown>(base: string, token: string, path: string): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`http://${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body: body as T, text };
}

/** One full exchange: connect, bind to the endpoint mapper, ept_lookup, close. */
export async function bindAndLookup(port: number): Promise<void> {
  const c = await RpcTestClient.connect(port);
  const ack = await c.bind([ctx(0, EPM_UUID, 3)]);
  if (ack.type !== 'bind_ack') throw new Error(`expected bind_ack, got ${ack.type}`);
  const stub = encodeEptLookupRequest({ inquiryType: 0, object: null, ifId: null, versOption: 1, entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' }, maxEnts: 500 });
  await c.call(2, stub);
  c.close();
  await new Promise<void>((r) => {
    if (c.closed) r();
    else c.socket.once('close', () => r());
  });
}

export interface SessionSummaryLike {
  id: string;
  dport: number;
  callCount: number;
  service?: string;
}

/** Send a client's segments one by one to a sensor port on loopback (what it answers is ignored),
 * wait `lingerMs`, then close. */
export function deliver(port: number, chunks: readonly Uint8Array[], lingerMs = 30): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connectTcp(port, '127.0.0.1');
    s.on('error', reject);
    s.on('data', () => undefined);
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, lingerMs));
      s.end();
    });
    s.on('close', () => resolve());
  });
}

/** Ask `fn` every 25 ms until it gives a value, at most `tries` times. */
export async function poll<T>(fn: () => Promise<T | undefined>, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
