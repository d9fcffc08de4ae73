// The table of every configuration key: path in the YAML file, environment variable, type, default
// and documentation. The loader, the error messages and docs/configuration.md all read this one table.

import { CUSUM_DEFAULTS } from '../detect/cusum.js';
import { EXPLOIT_LIMITS } from '../detect/exploit-detector.js';
import { RECON_LIMITS } from '../detect/recon-detector.js';
import { THRESHOLD_LIMITS } from '../detect/scan-threshold-detector.js';
import { TRW_LIMITS, TRW_PAPER_PARAMS } from '../detect/scan-trw-detector.js';
import { SURGE_LIMITS } from '../detect/surge-detector.js';
import type { LimitTable } from '../core/limits.js';

export type KeyType =
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'int-list'; readonly min: number; readonly max: number }
  | { readonly kind: 'string-list' }
  | { readonly kind: 'int-map' }
  | { readonly kind: 'webhook-list' };

export interface ConfigKey {
  /** Dotted path in the YAML file, e.g. `http.port`. */
  readonly path: string;
  /** Environment variable, e.g. `VIGIL_HTTP_PORT`. */
  readonly env: string;
  /** Command-line flag that sets it, where one exists. */
  readonly flag?: string;
  readonly type: KeyType;
  readonly default: unknown;
  readonly doc: string;
}

export const PERSONA_OS = ['windows-nt4-sp6', 'windows-2000-sp4', 'windows-xp-sp1', 'windows-xp-sp2', 'windows-2003', 'windows-7-sp1'] as const;
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;

const PORT = { kind: 'int', min: 1, max: 65535 } as const;

/** `maxKeys` under `detect.surge` -> VIGIL_DETECT_SURGE_MAX_KEYS. */
function envName(path: string): string {
  return `VIGIL_${path.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/\./g, '_').toUpperCase()}`;
}

/** One key per named limit of a detector (its LIMITS table: default, range, unit and why). */
function limitKeys(prefix: string, table: LimitTable): ConfigKey[] {
  return Object.entries(table).map(([name, spec]) => ({
    path: `${prefix}.${name}`, env: envName(`${prefix}.${name}`), type: { kind: 'int', min: spec.min, max: spec.max }, default: spec.default,
    doc: `${spec.doc.charAt(0).toUpperCase()}${spec.doc.slice(1)} (${spec.unit}).`,
  }));
}

const PROBABILITY = { kind: 'number', min: 0.000001, max: 0.999999 } as const;

/** Detector thresholds (docs/detectors.md explains each detector and how to tune it). */
const DETECT_KEYS: readonly ConfigKey[] = [
  { path: 'detect.allowlist', env: 'VIGIL_DETECT_ALLOWLIST', type: { kind: 'string-list' }, default: [],
    doc: 'Sources no detector sees: IPv4/IPv6 addresses and CIDR prefixes (e.g. `192.0.2.0/24`, `2001:db8::/32`; comma-separated in env), for known benign scanners such as research scanners or your own vulnerability scanner. Their events are still stored.' },
  ...limitKeys('detect.surge', SURGE_LIMITS),
  { path: 'detect.surge.cusumK', env: 'VIGIL_DETECT_SURGE_CUSUM_K', type: { kind: 'number', min: 0, max: 100 }, default: CUSUM_DEFAULTS.k,
    doc: 'CUSUM allowance k in robust standard deviations of log(sources + 1): shifts smaller than k are absorbed (Page 1954).' },
  { path: 'detect.surge.cusumH', env: 'VIGIL_DETECT_SURGE_CUSUM_H', type: { kind: 'number', min: 0.1, max: 1000 }, default: CUSUM_DEFAULTS.h,
    doc: 'CUSUM decision interval h: the alarm level of the cumulative sum (higher: fewer false alarms, later detection).' },
  { path: 'detect.trw.theta0', env: 'VIGIL_DETECT_TRW_THETA0', type: PROBABILITY, default: TRW_PAPER_PARAMS.theta0,
    doc: 'TRW: probability that a benign source\'s first contact succeeds (Jung et al. 2004: 0.8).' },
  { path: 'detect.trw.theta1', env: 'VIGIL_DETECT_TRW_THETA1', type: PROBABILITY, default: TRW_PAPER_PARAMS.theta1,
    doc: 'TRW: probability that a scanner\'s first contact succeeds (0.2); must be below theta0.' },
  { path: 'detect.trw.alpha', env: 'VIGIL_DETECT_TRW_ALPHA', type: PROBABILITY, default: TRW_PAPER_PARAMS.alpha,
    doc: 'TRW: target false-positive probability (0.01); with beta it sets the decision levels beta/alpha and (1-beta)/(1-alpha).' },
  { path: 'detect.trw.beta', env: 'VIGIL_DETECT_TRW_BETA', type: PROBABILITY, default: TRW_PAPER_PARAMS.beta,
    doc: 'TRW: target detection probability (0.99).' },
  ...limitKeys('detect.trw', TRW_LIMITS),
  ...limitKeys('detect.threshold', THRESHOLD_LIMITS),
  ...limitKeys('detect.recon', RECON_LIMITS),
  { path: 'detect.exploit.minAnomalySeverity', env: 'VIGIL_DETECT_EXPLOIT_MIN_ANOMALY_SEVERITY', type: { kind: 'enum', values: SEVERITIES }, default: 'low',
    doc: 'Engine anomalies (bad_version, fragment games, ...) below this severity raise no alert; they stay session data.' },
  ...limitKeys('detect.exploit', EXPLOIT_LIMITS),
];

export const CONFIG_KEYS: readonly ConfigKey[] = [
  { path: 'dataDir', env: 'VIGIL_DATA_DIR', flag: '--data-dir <dir>', type: { kind: 'string' }, default: './vigil-data',
    doc: 'Directory for the SQLite store (vigil.db), the API token (api-token, mode 0600) and spools. Relative paths resolve against the working directory.' },
  { path: 'http.host', env: 'VIGIL_HTTP_HOST', flag: '--http-host <host>', type: { kind: 'string' }, default: '127.0.0.1',
    doc: 'Address the HTTP API listens on. Loopback by default; expose it deliberately.' },
  { path: 'http.port', env: 'VIGIL_HTTP_PORT', flag: '--http-port <port>', type: PORT, default: 8135,
    doc: 'TCP port of the HTTP API.' },
  { path: 'http.publicUrl', env: 'VIGIL_HTTP_PUBLIC_URL', type: { kind: 'string' }, default: '',
    doc: 'Base URL by which others reach the API (canonical URLs of published CSAF advisories, the provider directory, Atom feeds); empty means http://HOST:PORT of the API.' },
  { path: 'csaf.publisherName', env: 'VIGIL_CSAF_PUBLISHER_NAME', type: { kind: 'string' }, default: 'Vigil node',
    doc: 'CSAF document/publisher/name of the advisories this node publishes.' },
  { path: 'csaf.publisherNamespace', env: 'VIGIL_CSAF_PUBLISHER_NAMESPACE', type: { kind: 'string' }, default: 'https://vigil.invalid',
    doc: 'CSAF document/publisher/namespace: the publishing organisation\'s URL (set it to yours before publishing).' },
  { path: 'csaf.publisherCategory', env: 'VIGIL_CSAF_PUBLISHER_CATEGORY', type: { kind: 'enum', values: ['coordinator', 'discoverer', 'other', 'translator', 'user', 'vendor'] }, default: 'coordinator',
    doc: 'CSAF document/publisher/category (a CERT is a coordinator).' },
  { path: 'sensor.ports', env: 'VIGIL_SENSOR_PORTS', flag: '--ports <list>', type: { kind: 'int-list', min: 1, max: 65535 }, default: [135, 139, 445, 593, 4444],
    doc: 'Ports the sensor listens on (comma-separated in env and flags). 135/593 speak DCE/RPC with the persona; the others accept and record.' },
  { path: 'sensor.portOffset', env: 'VIGIL_SENSOR_PORT_OFFSET', flag: '--port-offset <n>', type: { kind: 'int', min: 0, max: 64000 }, default: 0,
    doc: 'Added to every sensor port, for running without the privilege to bind below 1024 (10000 maps 135 to 10135); sessions still record the nominal port.' },
  { path: 'sensor.persona.hostname', env: 'VIGIL_SENSOR_PERSONA_HOSTNAME', type: { kind: 'string' }, default: 'FILESRV01',
    doc: 'NetBIOS-style host name the Windows persona answers with (ServerAlive2 string bindings).' },
  { path: 'sensor.persona.domain', env: 'VIGIL_SENSOR_PERSONA_DOMAIN', type: { kind: 'string' }, default: 'WORKGROUP',
    doc: 'Workgroup or domain of the persona.' },
  { path: 'sensor.persona.addresses', env: 'VIGIL_SENSOR_PERSONA_ADDRESSES', type: { kind: 'string-list' }, default: [],
    doc: 'IP addresses the persona claims in its bindings and towers (comma-separated in env); empty means the address the peer connected to.' },
  { path: 'sensor.persona.os', env: 'VIGIL_SENSOR_PERSONA_OS', type: { kind: 'enum', values: PERSONA_OS }, default: 'windows-xp-sp1',
    doc: `Windows flavour the persona imitates: ${PERSONA_OS.join(', ')}.` },
  { path: 'sensor.limits', env: 'VIGIL_SENSOR_LIMITS', type: { kind: 'int-map' }, default: {},
    doc: "Overrides of the sensor's named limits (connections, timeouts, byte caps), a mapping of limit name to integer (JSON object in env); names and ranges are checked by the sensor." },
  { path: 'store.retention.maxAgeDays', env: 'VIGIL_STORE_RETENTION_MAX_AGE_DAYS', type: { kind: 'int', min: 0, max: 36500 }, default: 90,
    doc: 'Sessions, events and port statistics older than this many days are pruned in the background; 0 keeps everything.' },
  { path: 'store.retention.maxSizeMb', env: 'VIGIL_STORE_RETENTION_MAX_SIZE_MB', type: { kind: 'int', min: 0, max: 10_000_000 }, default: 2048,
    doc: 'While the store holds more than this many MiB of live data, the oldest sessions and events are pruned; 0 means no size bound.' },
  { path: 'store.synchronous', env: 'VIGIL_STORE_SYNCHRONOUS', type: { kind: 'enum', values: ['full', 'normal'] }, default: 'full',
    doc: 'SQLite durability: `full` syncs the WAL at every commit, so an acknowledged session survives power loss; `normal` survives a process crash (SIGKILL) only.' },
  { path: 'alerts.minSeverity', env: 'VIGIL_ALERTS_MIN_SEVERITY', type: { kind: 'enum', values: SEVERITIES }, default: 'low',
    doc: 'Alerts below this severity are stored by no sink and sent nowhere (engine anomalies of severity `info` stay as session data).' },
  { path: 'alerts.suppressSeconds', env: 'VIGIL_ALERTS_SUPPRESS_SECONDS', type: { kind: 'int-map' }, default: {},
    doc: 'Per-detector suppression windows in seconds (e.g. `{surge: 21600}`): an alert with the same key inside the window is merged into the first. Detectors: exploit, trw, threshold, recon, surge, growth.' },
  { path: 'alerts.webhooks', env: 'VIGIL_ALERTS_WEBHOOKS', type: { kind: 'webhook-list' }, default: [],
    doc: 'Webhook receivers: a list of `{name, url, secret}` (JSON array in env); a name matches `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` (it names the spool files). Each alert is POSTed as JSON with an HMAC-SHA256 `x-vigil-signature` header, retried with backoff and spooled in `<dataDir>/spool` while the receiver is down.' },
  { path: 'alerts.email.smtpUrl', env: 'VIGIL_ALERTS_EMAIL_SMTP_URL', type: { kind: 'string' }, default: '',
    doc: 'SMTP URL for e-mail alerts (e.g. `smtps://user:pass@mail.example.org`); e-mail is off while empty.' },
  { path: 'alerts.email.from', env: 'VIGIL_ALERTS_EMAIL_FROM', type: { kind: 'string' }, default: 'vigil@localhost',
    doc: 'Sender address of e-mail alerts.' },
  { path: 'alerts.email.to', env: 'VIGIL_ALERTS_EMAIL_TO', type: { kind: 'string-list' }, default: [],
    doc: 'Recipients of e-mail alerts (comma-separated in env).' },
  { path: 'alerts.email.minSeverity', env: 'VIGIL_ALERTS_EMAIL_MIN_SEVERITY', type: { kind: 'enum', values: SEVERITIES }, default: 'high',
    doc: 'Only alerts at or above this severity are mailed.' },
  { path: 'log.level', env: 'VIGIL_LOG_LEVEL', flag: '--log-level <level>', type: { kind: 'enum', values: LOG_LEVELS }, default: 'info',
    doc: `Log level (pino): ${LOG_LEVELS.join(', ')}. HTTP access lines are logged at debug.` },
  { path: 'log.format', env: 'VIGIL_LOG_FORMAT', flag: '--log-format <format>', type: { kind: 'enum', values: LOG_FORMATS }, default: 'auto',
    doc: 'Console log format on stderr: `pretty` is one readable line per entry (time, level, module, message, fields), `json` is pino\'s JSON lines for collectors; `auto` is pretty on a terminal and JSON otherwise.' },
  ...DETECT_KEYS,
];
