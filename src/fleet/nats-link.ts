// The NATS connection both roles use, loaded lazily (@nats-io/transport-node 3.x): credentials by
// user/password, token or an nkey seed file, TLS when a CA is configured, reconnecting forever.

import { readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';

export interface NatsLinkOptions {
  /** nats://host:port; several comma-separated for a cluster. */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** File holding the nkey seed (SU...) of this sensor's or hub's NATS user. */
  readonly nkeySeedFile?: string;
  /** PEM CA file: connect with TLS and verify the server against it. */
  readonly tlsCaFile?: string;
  /** Client name shown by the server (the sensor's name). */
  readonly name?: string;
  /** Keep trying the first connect inside the client (default true); false: reject at once, so a
   * caller that retries on its own timers can give up when it is closed. */
  readonly waitOnFirstConnect?: boolean;
}

export async function connectNats(o: NatsLinkOptions): Promise<NatsConnection> {
  const { connect, nkeyAuthenticator } = await import('@nats-io/transport-node');
  return connect({
    servers: o.url.split(',').map((s) => s.trim()),
    ...(o.name && { name: o.name }),
    ...(o.user && { user: o.user, pass: o.password ?? '' }),
    ...(o.token && { token: o.token }),
    ...(o.nkeySeedFile && { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(o.nkeySeedFile, 'utf8').trim())) }),
    ...(o.tlsCaFile && { tls: { caFile: o.tlsCaFile } }),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A sensor starts before its broker is reachable: keep trying instead of failing the start.
    waitOnFirstConnect: o.waitOnFirstConnect ?? true,
  });
}
