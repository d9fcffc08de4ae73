// Per-connection record keeping: counts every byte, keeps bytes up to the recording cap, calls and
// anomalies up to their caps, and the limits that triggered, then renders a model SessionRecord.

import type { Anomaly } from '../model/anomaly.js';
import type { CallRecord } from '../model/call.js';
import type { CloseReason, SessionRecord, TranscriptEntry } from '../model/session.js';
import { escapeBytes } from '../core/safe-text.js';
import type { Flow } from '../model/flow.js';
import { LIMIT_HIT, type LimitHitName, type SensorLimits } from './sensor-limits.js';
import { payloadDigest } from './payload-digest.js';
import type { SessionOutput } from './sensor-types.js';
import type { Mutable } from '../core/mutable.js';

export class SessionRecorder {
  readonly id: string;
  readonly flow: Flow;
  readonly startTs: number;
  bytesIn = 0;
  bytesOut = 0;
  service: string;
  closeReason: CloseReason | undefined;
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private readonly limitsHit = new Set<LimitHitName>();
  private readonly anomalies: Anomaly[] = [];
  private anomaliesDropped = 0;
  private eventsShed = 0;
  private readonly calls: CallRecord[] = [];
  private readonly transcriptEntries: TranscriptEntry[] = [];
  private transcriptChars = 0;
  private transcriptEntriesCut = 0;
  private transcriptBytesCut = 0;
  private readonly onLimit: (name: LimitHitName) => void;

  constructor(id: string, flow: Flow, startTs: number, service: string, private readonly limits: SensorLimits, onLimit: (name: LimitHitName) => void) {
    this.id = id;
    this.flow = flow;
    this.startTs = startTs;
    this.service = service;
    this.onLimit = onLimit;
  }

  /** Count bytes from the peer; keep them while under the recording cap. */
  received(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    const room = this.limits.maxRecordedBytes - this.keptBytes;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      // Copy: the socket may reuse its buffer, and a subarray would pin the whole chunk.
      this.kept.push(Buffer.from(part));
      this.keptBytes += part.length;
    }
    if (chunk.length > room) this.hit(LIMIT_HIT.maxRecordedBytes);
  }

  /** Bytes kept as the payload sample so far (held in memory until the session is written). */
  get recordedBytes(): number {
    return this.keptBytes;
  }

  sent(n: number): void {
    this.bytesOut += n;
  }

  /** Record that a limit triggered (once per session; metrics count each first hit). */
  hit(name: LimitHitName | string): void {
    if (this.limitsHit.has(name as LimitHitName)) return;
    this.limitsHit.add(name as LimitHitName);
    this.onLimit(name as LimitHitName);
  }

  hasHit(name: string): boolean {
    return this.limitsHit.has(name as LimitHitName);
  }

  /** Keep an anomaly while under maxAnomaliesPerSession; returns whether it was kept (one that
   * is not kept is not reported as an event either: the count is, once, when the session ends). */
  anomaly(a: Anomaly): boolean {
    // A codec's too_many_anomalies is the count of what it did not report: kept past the cap (a
    // codec says it once per connection), so the record and a replay of the same bytes agree.
    if (this.anomalies.length < this.limits.maxAnomaliesPerSession || a.name === 'too_many_anomalies') {
      this.anomalies.push(a);
      return true;
    }
    this.anomaliesDropped++;
    this.hit(LIMIT_HIT.maxAnomaliesPerSession);
    return false;
  }

  /** Keep a call while under maxCallsPerSession; returns whether it was kept. */
  call(c: CallRecord): boolean {
    if (this.calls.length < this.limits.maxCallsPerSession) {
      this.calls.push(c);
      return true;
    }
    this.hit(LIMIT_HIT.maxCallsPerSession);
    return false;
  }

  /**
   * Add a line to the transcript (`in`: typed by the peer, `out`: said by the persona) at `ts`.
   * Escaped on the way in, so every reader (CLI, API, dashboard) gets text that cannot be
   * interpreted; bounded by maxTranscriptEntries and maxTranscriptChars, and only the kept prefix
   * of a long line is ever escaped, so a peer's 100 KB line costs what the budget allows.
   */
  transcript(dir: 'in' | 'out', bytes: Uint8Array, ts: number): void {
    const room = this.limits.maxTranscriptChars - this.transcriptChars;
    if (this.transcriptEntries.length >= this.limits.maxTranscriptEntries || room <= 0) {
      this.transcriptEntriesCut++;
      this.transcriptBytesCut += bytes.length;
      this.hit(LIMIT_HIT.maxTranscriptEntries);
      return;
    }
    const { text, consumed } = escapeBytes(bytes, room);
    const entry: Mutable<TranscriptEntry> = { dir, offsetMs: Math.max(0, ts - this.startTs), text };
    if (consumed < bytes.length) {
      entry.bytesCut = bytes.length - consumed;
      this.transcriptBytesCut += entry.bytesCut;
      this.hit(LIMIT_HIT.maxTranscriptChars);
    }
    this.transcriptEntries.push(entry);
    this.transcriptChars += text.length;
  }

  /** One of this session's events was shed by the output queue (its source held more than its
   * share under load): counted, and said once on the record when the session ends. */
  eventShed(): void {
    this.eventsShed++;
    this.hit(LIMIT_HIT.queueCapacity);
  }

  /** The resolved limits this session runs under (responders read their caps here). */
  get limitsRef(): SensorLimits {
    return this.limits;
  }

  get callCount(): number {
    return this.calls.length;
  }

  /** The recorded bytes (up to the cap). */
  payload(): Buffer {
    return this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptBytes);
  }

  /** The finished record as the sensor's sink receives it (with the kept bytes as payload sample). */
  finish(endTs: number, sensor: string): SessionOutput {
    const payload = this.keptBytes > 0 ? this.payload() : undefined;
    const f = this.flow;
    if (this.anomaliesDropped > 0) {
      this.anomalies.push({ name: 'too_many_anomalies', proto: 'sensor', detail: `${this.anomaliesDropped} more anomal${this.anomaliesDropped === 1 ? 'y' : 'ies'} counted, not kept (maxAnomaliesPerSession ${this.limits.maxAnomaliesPerSession})` });
      this.anomaliesDropped = 0;
    }
    if (this.eventsShed > 0) {
      this.anomalies.push({ name: 'events_shed', proto: 'sensor', detail: `${this.eventsShed} event(s) of this session not queued: under load its source held more than its share of the queue (queueCapacity ${this.limits.queueCapacity})` });
      this.eventsShed = 0;
    }
    // Built field by field: object spreads here cost ~20 us per session in V8 (measured), which
    // is most of what recording a session costs.
    const session: Mutable<SessionRecord> = {
      proto: f.proto, src: f.src, sport: f.sport, dst: f.dst, dport: f.dport,
      id: this.id,
      sensor,
      startTs: this.startTs,
      endTs,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      service: this.service,
      closeReason: this.closeReason ?? 'shutdown',
      limitsHit: Array.from(this.limitsHit),
      anomalies: this.anomalies,
      calls: this.calls,
    };
    if (this.transcriptEntries.length > 0 || this.transcriptEntriesCut > 0) {
      session.transcript = { entries: this.transcriptEntries, entriesCut: this.transcriptEntriesCut, bytesCut: this.transcriptBytesCut };
    }
    if (!payload) return { kind: 'session', session };
    const digest = payloadDigest(payload, this.limits.maxFirstBytes);
    if (this.limits.maxFirstBytes > 0) session.firstBytesHex = digest.firstBytesHex;
    session.payloadSha256 = [digest.sha256];
    return { kind: 'session', session, payload };
  }
}

