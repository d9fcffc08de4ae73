// The scanner's named limits: pace, timeouts, retries and the bounds on what a host may send back.
// Defaults are conservative (nmap's -T3 "normal" and naabu's defaults are the prior art): a scan of
// someone's own network must never be the incident.

import type { LimitTable } from '../core/limits.js';

export const SCAN_LIMITS = {
  rate: { default: 100, min: 1, max: 1_000_000, unit: 'connections/s', doc: 'new connections per second, all hosts together (naabu -rate defaults to 1000; we start lower)' },
  maxInFlight: { default: 64, min: 1, max: 65_536, unit: 'connections', doc: 'connections open at once, all hosts together (nmap -T3 keeps up to ~100 probes outstanding)' },
  perHostInFlight: { default: 4, min: 1, max: 1024, unit: 'connections', doc: 'connections open at once to one host (one per default port)' },
  perHostRate: { default: 20, min: 1, max: 1_000_000, unit: 'connections/s', doc: 'new connections per second to one host' },
  connectTimeoutMs: { default: 2000, min: 10, max: 60_000, unit: 'ms', doc: 'wait for a TCP handshake before calling the port filtered (nmap -T3 starts at 1 s and adapts)' },
  replyTimeoutMs: { default: 3000, min: 10, max: 60_000, unit: 'ms', doc: 'wait for each RPC reply' },
  retries: { default: 1, min: 0, max: 10, unit: 'attempts', doc: 'extra connection attempts for a port that did not answer (nmap --max-retries)' },
  maxTargets: { default: 1 << 24, min: 1, max: 2 ** 32 - 6, unit: 'addresses', doc: 'addresses in one scan (a /8); more is a mistake, not a scan' },
  maxStubBytes: { default: 1 << 20, min: 1024, max: 16 << 20, unit: 'bytes', doc: 'largest RPC response accepted (Suricata\'s 1 MiB stub limit)' },
  maxEndpoints: { default: 4096, min: 1, max: 1 << 20, unit: 'entries', doc: 'endpoint-mapper entries kept per host' },
  maxSmbMessageBytes: { default: 256 * 1024, min: 1024, max: 16 << 20, unit: 'bytes', doc: 'largest SMB message accepted from a host (a negotiate or session setup answer is a few hundred bytes; Windows SMB1 buffers are 16 KiB, SMB2 answers to our 4280-byte reads smaller still)' },
  maxPipeReads: { default: 16, min: 1, max: 4096, unit: 'reads', doc: 'reads after a STATUS_BUFFER_OVERFLOW for one named-pipe answer (4280 bytes each, as Windows clients read)' },
  maxLookupPages: { default: 64, min: 1, max: 10_000, unit: 'calls', doc: 'ept_lookup calls per host (500 entries each)' },
} as const satisfies LimitTable;

export type ScanLimitName = keyof typeof SCAN_LIMITS;
