// The sensor's hardening limits as one named, documented table (resolved through core resolveLimits),
// so that the configuration, the README and the tests read the same source.

import { resolveLimits, type LimitTable, type ResolvedLimits } from '../core/limits.js';

export const SENSOR_LIMITS = {
  maxConnections: {
    default: 10_000,
    min: 1,
    max: 1_000_000,
    unit: 'connections',
    doc: 'Concurrent connections across all sensor ports; past it new connections are reset (nginx worker_connections, Dionaea max connections).',
  },
  maxConnectionsPerSource: {
    default: 64,
    min: 1,
    max: 1_000_000,
    unit: 'connections',
    doc: 'Concurrent connections from one source address, so one flooding peer cannot take every slot (nginx limit_conn per $binary_remote_addr).',
  },
  listenBacklog: {
    default: 4096,
    min: 16,
    max: 65_535,
    unit: 'connections',
    doc: 'Completed handshakes the kernel queues per listener until the sensor accepts them (capped by net.core.somaxconn); a short queue turns a burst into SYN-ACK retransmissions and seconds of delay (nginx listen backlog=).',
  },
  idleTimeoutMs: {
    default: 30_000,
    min: 100,
    max: 3_600_000,
    unit: 'ms',
    doc: 'Close a connection with no traffic for this long (slowloris defence; Windows RPC drops idle unbound associations after about 120 s, we are stricter). Checked by one sweep every tenth of the shorter timeout (10 ms to 1 s), so it fires up to that much late.',
  },
  sessionTimeoutMs: {
    default: 300_000,
    min: 100,
    max: 86_400_000,
    unit: 'ms',
    doc: 'Close any connection this long after it opened, however active (a trickling peer cannot hold a slot forever); checked by the same sweep as idleTimeoutMs.',
  },
  minBytesPerSecond: {
    default: 16,
    min: 0,
    max: 1_048_576,
    unit: 'bytes/s',
    doc: 'Byte-rate floor for a peer part-way through a message (a partial PDU or shell line): one that sent something, but less than this rate, over a whole rateWindowMs is closed (limit min_byte_rate). A slowloris peer at 1 byte/s would otherwise reset the idle timeout forever and hold its slot for sessionTimeoutMs (Apache mod_reqtimeout MinRate). 0 turns it off.',
  },
  rateWindowMs: {
    default: 10_000,
    min: 100,
    max: 3_600_000,
    unit: 'ms',
    doc: 'Window over which minBytesPerSecond is measured; checked by the same sweep as the timeouts.',
  },
  maxBytesPerSecondPerSource: {
    default: 262_144,
    min: 0,
    max: 1_073_741_824,
    unit: 'bytes/s',
    doc: 'Bytes per second one source address may have decoded (one second of burst); over it its sockets are paused until its budget refills, so TCP slows the sender and other peers keep the event loop (limit source_byte_rate). Bytes stand in for CPU: a flood of 72-byte binds costs the sensor ~30 us each, so 256 KiB/s from one source is already ~3,600 binds/s; no RPC client (rpcdump, nmap, the 2 KiB exploit of a worm) comes near it. 0 turns it off.',
  },
  maxRecordedBytes: {
    default: 65_536,
    min: 0,
    max: 16_777_216,
    unit: 'bytes',
    doc: 'Bytes from the peer kept as the session payload sample; past it bytes are counted, not kept (Suricata stream.reassembly.depth).',
  },
  maxSessionBytes: {
    default: 16_777_216,
    min: 1,
    max: 1_073_741_824,
    unit: 'bytes',
    doc: 'Bytes from the peer after which the connection is closed (close reason byte_cap): no real RPC client sends this much to 135.',
  },
  maxFirstBytes: {
    default: 64,
    min: 0,
    max: 4096,
    unit: 'bytes',
    doc: 'First bytes of the peer kept in hex on the session record (Zeek conn.log history-sized fingerprint for unknown services).',
  },
  maxCallsPerSession: {
    default: 256,
    min: 1,
    max: 65_536,
    unit: 'calls',
    doc: 'Decoded calls kept on one session record; later ones are counted as a limit hit (the codec itself bounds open calls).',
  },
  maxAnomaliesPerSession: {
    default: 256,
    min: 1,
    max: 65_536,
    unit: 'anomalies',
    doc: 'Anomalies kept on one session record (garbage streams raise one per resync; Zeek rate-limits weirds the same way).',
  },
  maxPayloadEventChars: {
    default: 4096,
    min: 0,
    max: 1_048_576,
    unit: 'characters',
    doc: 'Printable text of what a peer typed on a shell port, per session, carried in PayloadEvents.',
  },
  maxTranscriptEntries: {
    default: 512,
    min: 0,
    max: 65_536,
    unit: 'entries',
    doc: 'Lines kept in a shell session\'s transcript, both directions (what the peer typed, what the persona answered); past it entries are counted, not kept (limit max_transcript).',
  },
  maxTranscriptChars: {
    default: 65_536,
    min: 0,
    max: 16_777_216,
    unit: 'characters',
    doc: 'Escaped text kept in one shell session\'s transcript, all entries together (a 100 KB line keeps only what fits); bytes cut are counted on the transcript (limit max_transcript).',
  },
  maxPendingOutputBytes: {
    default: 262_144,
    min: 1024,
    max: 67_108_864,
    unit: 'bytes',
    doc: 'Replies waiting in the socket for a peer that sends requests but never reads; past it the connection is closed (ws/Node writableHighWaterMark-style bound on output).',
  },
  queueCapacity: {
    default: 10_000,
    min: 1,
    max: 10_000_000,
    unit: 'items',
    doc: 'Events waiting between the sensor and its sink. Once half of it is taken, events from a source holding more than an equal share are shed (counted, and said on the session as events_shed); sessions and exploit evidence (calls with activation arguments or anomalies, shell lines) are never shed and have room for twice this; only a sink that has stopped makes the oldest item drop (a sensor must keep listening when its store is slow).',
  },
  queueBatchSize: {
    default: 256,
    min: 1,
    max: 100_000,
    unit: 'items',
    doc: 'Items handed to the sink in one write (one store transaction), which is what makes recording every session cheap.',
  },
  queueLingerMs: {
    default: 10,
    min: 0,
    max: 1000,
    unit: 'ms',
    doc: 'How long the queue waits to gather a batch before writing (Kafka linger.ms): fewer, larger store transactions under load, at most this much added acknowledgement delay.',
  },
  memoryBudgetMb: {
    default: 512,
    min: 16,
    max: 1_048_576,
    unit: 'MiB',
    doc: 'Memory the sensor may hold for its peers: bytes buffered per connection (partial PDUs, reassembled stubs, payload samples, replies waiting to be sent), 8 KiB per open connection for its socket and state, and output waiting in the queue; measured every 250 ms. Over it, new connections are refused and the connections holding the most are closed (limit memory_budget) until it is back under 90%. Counted bytes, not resident memory: they fall as soon as a peer goes (resident memory waits for the garbage collector, which runs only when something allocates).',
  },
} as const satisfies LimitTable;

export type SensorLimits = ResolvedLimits<typeof SENSOR_LIMITS>;
export type SensorLimitName = keyof typeof SENSOR_LIMITS;

export function resolveSensorLimits(overrides: Partial<Record<SensorLimitName, number>> = {}): SensorLimits {
  return resolveLimits(SENSOR_LIMITS, overrides, 'sensor.limits');
}

/** snake_case names under which limit hits appear in session records and metrics. */
export const LIMIT_HIT = {
  maxConnections: 'max_connections',
  maxConnectionsPerSource: 'max_connections_per_source',
  idleTimeoutMs: 'idle_timeout',
  sessionTimeoutMs: 'session_timeout',
  maxRecordedBytes: 'max_recorded_bytes',
  minBytesPerSecond: 'min_byte_rate',
  maxBytesPerSecondPerSource: 'source_byte_rate',
  maxSessionBytes: 'max_session_bytes',
  maxCallsPerSession: 'max_calls_per_session',
  maxAnomaliesPerSession: 'max_anomalies_per_session',
  maxPayloadEventChars: 'max_payload_event_chars',
  maxTranscriptEntries: 'max_transcript',
  maxTranscriptChars: 'max_transcript',
  memoryBudgetMb: 'memory_budget',
  maxPendingOutputBytes: 'max_pending_output',
  queueCapacity: 'queue_share',
} as const satisfies Partial<Record<SensorLimitName, string>>;
export type LimitHitName = (typeof LIMIT_HIT)[keyof typeof LIMIT_HIT];
