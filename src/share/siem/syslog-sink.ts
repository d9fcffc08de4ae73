// Alert sink to a syslog receiver (a SIEM's collector): each alert as CEF inside an RFC 5424 message,
// over UDP (RFC 5426), TCP (RFC 6587 octet counting) or TLS (RFC 5425), through the same disk spool as
// the webhooks (core/ordered-spool.ts), so alerts survive a collector outage and arrive in order.
// Structurally an AlertSink of src/detect (share may not import detect; the CLI adds it to the router).

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { Logger } from '../../core/logger.js';
import { OrderedSpool, type SendOutcome } from '../../core/ordered-spool.js';
import type { Alert } from '../../model/alert.js';
import type { Severity } from '../../model/anomaly.js';
import { alertToCef } from './cef-format.js';
import { octetCounted, syslogMessage, type SyslogFacility } from './syslog-format.js';

export const SYSLOG_TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type SyslogTransport = (typeof SYSLOG_TRANSPORTS)[number];
/** RFC 5426 section 3.2: receivers should take 2048-byte datagrams; a longer CEF message is cut to fit. */
export const MAX_UDP_MESSAGE_BYTES = 2048;
const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export interface SyslogTarget {
  /** Names the spool files: ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ (configuration checks it). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: SyslogTransport;
  readonly facility?: SyslogFacility;
  readonly minSeverity?: Severity;
  /** PEM of the CA that signed the collector's certificate (TLS); default the system CAs. */
  readonly ca?: string;
}

export interface SyslogSinkOptions {
  readonly spoolDir: string;
  /** HOSTNAME of the messages and CEF dvchost; default os.hostname(). */
  readonly hostname?: string;
  readonly version?: string;
  readonly logger?: Logger;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  readonly connectTimeoutMs?: number;
}

export class SyslogSink {
  readonly name: string;
  private readonly spool: OrderedSpool;
  private readonly host: string;
  private stream: Socket | undefined;
  private udp: UdpSocket | undefined;

  constructor(private readonly t: SyslogTarget, private readonly o: SyslogSinkOptions) {
    this.name = `syslog:${t.name}`;
    this.host = o.hostname ?? hostname();
    this.spool = new OrderedSpool({
      dir: o.spoolDir, stem: `syslog-${t.name}`, label: this.name, deadKey: 'alert', send: (line) => this.send(line),
      ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}), ...(o.retryMaxMs !== undefined ? { retryMaxMs: o.retryMaxMs } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
  }

  get delivered(): number {
    return this.spool.delivered;
  }

  deliver(alert: Alert): void {
    if (RANK[alert.severity] < RANK[this.t.minSeverity ?? 'info']) return;
    this.spool.append(JSON.stringify(alert));
  }

  pending(): number {
    return this.spool.pending();
  }

  async drain(): Promise<void> {
    await this.spool.drain();
  }

  async close(): Promise<void> {
    await this.spool.close();
    this.stream?.end();
    this.stream?.destroy();
    this.udp?.close();
    this.stream = undefined;
    this.udp = undefined;
  }

  /** The RFC 5424 message of one spooled alert. */
  message(alert: Alert): string {
    return syslogMessage(
      { facility: this.t.facility ?? 'local4', severity: alert.severity, ts: alert.ts, hostname: this.host, appName: 'vigil', procId: String(process.pid), msgId: 'alert' },
      alertToCef(alert, { observer: this.host, ...(this.o.version ? { version: this.o.version } : {}) }),
    );
  }

  private async send(line: string): Promise<SendOutcome> {
    let alert: Alert;
    try {
      alert = JSON.parse(line) as Alert;
    } catch {
      return { ok: false, problem: 'spool line is not JSON', permanent: true };
    }
    const msg = this.message(alert);
    try {
      if (this.t.transport === 'udp') await this.sendUdp(fitBytes(msg, MAX_UDP_MESSAGE_BYTES));
      else await this.sendStream(octetCounted(msg));
      return { ok: true };
    } catch (e) {
      this.stream?.destroy();
      this.stream = undefined;
      return { ok: false, problem: String((e as Error).message ?? e) };
    }
  }

  private sendUdp(msg: Buffer): Promise<void> {
    this.udp ??= createSocket(this.t.host.includes(':') ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => this.udp!.send(msg, this.t.port, this.t.host, (err) => (err ? reject(err) : resolve())));
  }

  private async sendStream(frame: Buffer): Promise<void> {
    const s = this.stream ?? (this.stream = await this.open());
    await new Promise<void>((resolve, reject) => s.write(frame, (err) => (err ? reject(err) : resolve())));
  }

  /** A connection to the collector; TLS verifies its certificate against `ca` (never unverified). */
  private open(): Promise<Socket> {
    const timeout = this.o.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const s: Socket = this.t.transport === 'tls'
        ? tlsConnect({ host: this.t.host, port: this.t.port, servername: this.t.host, ...(this.t.ca ? { ca: this.t.ca } : {}) })
        : tcpConnect({ host: this.t.host, port: this.t.port });
      const timer = setTimeout(() => s.destroy(new Error(`connect timeout after ${timeout} ms`)), timeout);
      s.once(this.t.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        // A later failure ends this connection; the next send opens another.
        s.on('error', () => {
          if (this.stream === s) this.stream = undefined;
        });
        s.on('close', () => {
          if (this.stream === s) this.stream = undefined;
        });
        s.on('data', () => {}); // collectors say nothing; drain whatever a broken one sends
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }
}

/** The message as UTF-8, cut at a character boundary to at most `max` bytes. */
function fitBytes(msg: string, max: number): Buffer {
  const b = Buffer.from(msg, 'utf8');
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}
