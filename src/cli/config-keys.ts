// The table of every configuration key: path in the YAML file, environment variable, type, default
// and documentation. The loader, the error messages and docs/configuration.md all read this one table.

import { CUSUM_DEFAULTS } from '../detect/cusum.js';
import { EXPLOIT_LIMITS } from '../detect/exploit-detector.js';
import { RECON_LIMITS } from '../detect/recon-detector.js';
import { THRESHOLD_LIMITS } from '../detect/scan-threshold-detector.js';
import { TRW_LIMITS, TRW_PAPER_PARAMS } from '../detect/scan-trw-detector.js';
import { SURGE_LIMITS } from '../detect/surge-detector.js';
import { SWEEP_LIMITS } from '../detect/sweep-detector.js';
import type { LimitTable } from '../core/limits.js';
import { IMPORT_LIMITS } from '../exposure/exposure-limits.js';
import { DEFAULT_DUE_DAYS } from '../exposure/finding-policy.js';

export type KeyType =
  | { readonly kind: 'string' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly min: number; readonly max: number }
  | { readonly kind: 'int-list'; readonly min: number; readonly max: number }
  | { readonly kind: 'string-list' }
  | { readonly kind: 'int-map' }
  | { readonly kind: 'webhook-list' }
  | { readonly kind: 'syslog-list' }
  | { readonly kind: 'taxii-user-list' }
  | { readonly kind: 'taxii-push-list' }
  | { readonly kind: 'taxii-poll-list' };

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
export const RPCSS_PATCH = ['undisclosed', 'none', 'KB823980', 'KB824146'] as const;
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
  ...limitKeys('detect.sweep', SWEEP_LIMITS),
  { path: 'detect.exploit.minAnomalySeverity', env: 'VIGIL_DETECT_EXPLOIT_MIN_ANOMALY_SEVERITY', type: { kind: 'enum', values: SEVERITIES }, default: 'low',
    doc: 'Engine anomalies (bad_version, fragment games, ...) below this severity raise no alert; they stay session data.' },
  ...limitKeys('detect.exploit', EXPLOIT_LIMITS),
];

const DAYS = { kind: 'int', min: 1, max: 3650 } as const;

/** Remediation policy and inventory-import limits (docs/exposure.md). */
const EXPOSURE_KEYS: readonly ConfigKey[] = [
  ...(['critical', 'high', 'medium', 'low', 'unknown'] as const).map((sev): ConfigKey => ({
    path: `exposure.dueDays.${sev}`, env: envName(`exposure.dueDays.${sev}`), type: DAYS, default: DEFAULT_DUE_DAYS[sev],
    doc: `Days to fix a finding of severity ${sev} (from CVSS${sev === 'unknown' ? '; for CVEs without a score' : ''}), counted from when it was opened or reopened; a CVE listed in CISA KEV takes KEV's due date instead.${sev === 'critical' || sev === 'high' ? ' Default from CISA BOD 19-02.' : ''}`,
  })),
  ...limitKeys('exposure.import', IMPORT_LIMITS),
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
  { path: 'scan.intervalMinutes', env: 'VIGIL_SCAN_INTERVAL_MINUTES', type: { kind: 'int', min: 0, max: 44640 }, default: 0,
    doc: 'How often `vigil up` rescans `scan.targets` (minutes; 0: never). Each scan goes to assets and findings as `vigil scan --save` does: a finding closes only when the fix is observed, and reopens when the flaw is seen again. Runs are listed at /api/v1/scans.' },
  { path: 'scan.targets', env: 'VIGIL_SCAN_TARGETS', type: { kind: 'string-list' }, default: [],
    doc: 'Addresses, CIDRs, ranges and host names the scheduled rescans cover; each must lie inside the scope.' },
  { path: 'scan.scopeFile', env: 'VIGIL_SCAN_SCOPE_FILE', type: { kind: 'string' }, default: '',
    doc: 'Scope file of the scheduled rescans (one address, CIDR or range per line); empty: loopback only. A target outside it is refused before any socket opens.' },
  { path: 'scan.ports', env: 'VIGIL_SCAN_PORTS', type: { kind: 'int-list', min: 1, max: 65535 }, default: [135, 139, 445, 593],
    doc: 'Ports the scheduled rescans connect to.' },
  { path: 'scan.rpcPorts', env: 'VIGIL_SCAN_RPC_PORTS', type: { kind: 'int-list', min: 1, max: 65535 }, default: [135],
    doc: 'Ports of the scheduled rescans that speak DCE/RPC like 135 (endpoint mapper, ServerAlive2 and the checks run there; 593 is always tried over ncacn_http).' },
  { path: 'scan.checks', env: 'VIGIL_SCAN_CHECKS', type: { kind: 'string-list' }, default: ['ms03-026'],
    doc: 'Vulnerability checks of the scheduled rescans (ms03-026, ms03-039).' },
  { path: 'feeds.intervalMinutes', env: 'VIGIL_FEEDS_INTERVAL_MINUTES', type: { kind: 'int', min: 0, max: 10080 }, default: 0,
    doc: 'How often `vigil up` syncs the feeds below (minutes; 0: never, the default, since a fresh node may have no network). The first successful sync of each source only builds the baseline; later ones raise `kb` alerts for what changed and matches a subscription or an asset.' },
  { path: 'feeds.kevUrl', env: 'VIGIL_FEEDS_KEV_URL', type: { kind: 'string' }, default: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    doc: 'CISA Known Exploited Vulnerabilities catalog (JSON); empty: not synced. An addition that concerns us is a high alert.' },
  { path: 'feeds.epssUrl', env: 'VIGIL_FEEDS_EPSS_URL', type: { kind: 'string' }, default: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
    doc: 'FIRST EPSS scores (CSV, gzipped or not); empty: not synced.' },
  { path: 'feeds.epssJump', env: 'VIGIL_FEEDS_EPSS_JUMP', type: { kind: 'number', min: 0.001, max: 1 }, default: 0.1,
    doc: 'Rise of the EPSS probability between two syncs that raises an alert for a vulnerability that concerns us (0.1: ten percentage points).' },
  { path: 'feeds.nvdUrl', env: 'VIGIL_FEEDS_NVD_URL', type: { kind: 'string' }, default: 'https://services.nvd.nist.gov/rest/json/cves/2.0',
    doc: 'NVD CVE API 2.0 base URL, synced incrementally by lastModified windows within its rate limit; empty: not synced.' },
  { path: 'feeds.nvdApiKey', env: 'VIGIL_FEEDS_NVD_API_KEY', type: { kind: 'string' }, default: '',
    doc: 'NVD API key (50 instead of 5 requests per 30 s). Prefer the environment variable to the file.' },
  { path: 'feeds.csafProviders', env: 'VIGIL_FEEDS_CSAF_PROVIDERS', type: { kind: 'string-list' }, default: [],
    doc: 'CSAF providers\' provider-metadata.json URLs whose TLP:WHITE ROLIE feeds are synced.' },
  { path: 'subscriptions.vendors', env: 'VIGIL_SUBSCRIPTIONS_VENDORS', type: { kind: 'string-list' }, default: [],
    doc: 'Vendors (CPE or CNA names, e.g. microsoft) whose new or changed vulnerabilities raise a `kb` alert.' },
  { path: 'subscriptions.products', env: 'VIGIL_SUBSCRIPTIONS_PRODUCTS', type: { kind: 'string-list' }, default: [],
    doc: 'Products (`vendor:product` or a bare product, e.g. microsoft:windows_xp) whose new or changed vulnerabilities raise a `kb` alert.' },
  { path: 'subscriptions.keywords', env: 'VIGIL_SUBSCRIPTIONS_KEYWORDS', type: { kind: 'string-list' }, default: [],
    doc: 'Words matched in a vulnerability\'s title and description (case-insensitive): catches records that carry no CPE yet.' },
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
  { path: 'sensor.persona.rpcssPatch', env: 'VIGIL_SENSOR_PERSONA_RPCSS_PATCH', type: { kind: 'enum', values: RPCSS_PATCH }, default: 'undisclosed',
    doc: 'RPCSS patch level the persona reveals to the MS03-026 / MS03-039 checks (IRemoteActivation): `none` answers as unpatched (vulnerable), `KB823980` as patched for MS03-026, `KB824146` as patched for MS03-039 (which includes MS03-026), `undisclosed` refuses every activation with access denied. See docs/scanning.md.' },
  { path: 'sensor.limits', env: 'VIGIL_SENSOR_LIMITS', type: { kind: 'int-map' }, default: {},
    doc: "Overrides of the sensor's named limits (connections, timeouts, byte caps), a mapping of limit name to integer (JSON object in env); names and ranges are checked by the sensor." },
  { path: 'store.retention.maxAgeDays', env: 'VIGIL_STORE_RETENTION_MAX_AGE_DAYS', type: { kind: 'int', min: 0, max: 36500 }, default: 90,
    doc: 'Sessions, events and port statistics older than this many days are pruned in the background; 0 keeps everything.' },
  { path: 'store.retention.maxSizeMb', env: 'VIGIL_STORE_RETENTION_MAX_SIZE_MB', type: { kind: 'int', min: 0, max: 10_000_000 }, default: 2048,
    doc: 'While the store holds more than this many MiB of live data, the oldest sessions and events are pruned; 0 means no size bound.' },
  { path: 'store.synchronous', env: 'VIGIL_STORE_SYNCHRONOUS', type: { kind: 'enum', values: ['full', 'normal'] }, default: 'full',
    doc: 'SQLite durability: `full` syncs the WAL at every commit, so an acknowledged session survives power loss; `normal` survives a process crash (SIGKILL) only.' },
  { path: 'store.backend', env: 'VIGIL_STORE_BACKEND', flag: '--store <backend>', type: { kind: 'enum', values: ['sqlite', 'postgres'] }, default: 'sqlite',
    doc: 'Where sessions, events and port statistics live: `sqlite` (vigil.db in the data directory, the single-node default) or `postgres` (store.url; the multi-user store of a fleet hub). The knowledge base and alerts stay in the data directory\'s SQLite file either way.' },
  { path: 'store.url', env: 'VIGIL_STORE_URL', type: { kind: 'string' }, default: '',
    doc: 'PostgreSQL connection URL when store.backend is postgres, e.g. `postgres://vigil@db.example.org:5432/vigil`; a password is better given in PGPASSWORD or ~/.pgpass than in the URL.' },
  { path: 'fleet.role', env: 'VIGIL_FLEET_ROLE', flag: '--role <role>', type: { kind: 'enum', values: ['single', 'sensor', 'hub'] }, default: 'single',
    doc: '`single`: one node (sensor, store, detectors, API). `sensor`: listeners and persona only, publishing sessions and events to the hub over NATS JetStream (fleet.url), spooling to disk while the hub is unreachable. `hub`: consumes every sensor\'s stream into the store, runs the detectors over all sensors and serves the API.' },
  { path: 'fleet.url', env: 'VIGIL_FLEET_URL', flag: '--hub <url>', type: { kind: 'string' }, default: 'nats://127.0.0.1:4222',
    doc: 'NATS server(s) of the fleet, comma-separated (`nats://HOST:4222`); JetStream must be enabled (nats-server -js).' },
  { path: 'fleet.sensorName', env: 'VIGIL_FLEET_SENSOR_NAME', flag: '--sensor-name <name>', type: { kind: 'string' }, default: '',
    doc: 'This sensor\'s name in the fleet (letters, digits, `_`, `-`; one NATS subject token: pin its publish permission to `vigil.fleet.NAME.>`); empty means the host name.' },
  { path: 'fleet.user', env: 'VIGIL_FLEET_USER', type: { kind: 'string' }, default: '',
    doc: 'NATS user of this sensor or hub (with fleet.password); revoking a sensor is removing its user from the NATS server configuration.' },
  { path: 'fleet.password', env: 'VIGIL_FLEET_PASSWORD', type: { kind: 'string' }, default: '',
    doc: 'NATS password of fleet.user (prefer the environment to the file).' },
  { path: 'fleet.token', env: 'VIGIL_FLEET_TOKEN', type: { kind: 'string' }, default: '',
    doc: 'NATS token, when the server authenticates by token instead of users.' },
  { path: 'fleet.nkeySeedFile', env: 'VIGIL_FLEET_NKEY_SEED_FILE', type: { kind: 'string' }, default: '',
    doc: 'File holding this sensor\'s or hub\'s NATS nkey seed (`SU...`), instead of a user and password.' },
  { path: 'fleet.tlsCaFile', env: 'VIGIL_FLEET_TLS_CA_FILE', type: { kind: 'string' }, default: '',
    doc: 'PEM CA file: connect to NATS with TLS and verify the server against it; empty means plain TCP (use it on loopback or a private network only).' },
  { path: 'fleet.spoolMaxMb', env: 'VIGIL_FLEET_SPOOL_MAX_MB', type: { kind: 'int', min: 1, max: 1_000_000 }, default: 256,
    doc: 'Bound of a sensor\'s disk spool (`<dataDir>/fleet-spool`) while the hub is unreachable; past it new sessions are refused and counted (vigil_fleet_spool_dropped_total, and the sensor\'s dropped-output counter).' },
  { path: 'fleet.streamMaxAgeDays', env: 'VIGIL_FLEET_STREAM_MAX_AGE_DAYS', type: { kind: 'int', min: 1, max: 3650 }, default: 7,
    doc: 'Days the hub\'s JetStream stream keeps messages, consumed or not (what a new hub, or a hub restored from backup, can replay).' },
  { path: 'fleet.silentAfterSeconds', env: 'VIGIL_FLEET_SILENT_AFTER_SECONDS', type: { kind: 'int', min: 0, max: 604_800 }, default: 120,
    doc: 'A hub raises a `fleet` alert (rule `fleet_sensor_silent`) when a sensor it has heard from sends nothing, not even its 10-second heartbeat, for this long; 0 turns it off.' },
  { path: 'fleet.expectedSensors', env: 'VIGIL_FLEET_EXPECTED_SENSORS', type: { kind: 'string-list' }, default: [],
    doc: 'Sensor names a hub expects: each is followed from the hub\'s start, so one that never reports (never came up, or died while the hub was down) raises `fleet_sensor_silent` after fleet.silentAfterSeconds and is listed as never heard. Other sensors are followed once heard.' },
  { path: 'alerts.minSeverity', env: 'VIGIL_ALERTS_MIN_SEVERITY', type: { kind: 'enum', values: SEVERITIES }, default: 'low',
    doc: 'Alerts below this severity are stored by no sink and sent nowhere (engine anomalies of severity `info` stay as session data).' },
  { path: 'alerts.suppressSeconds', env: 'VIGIL_ALERTS_SUPPRESS_SECONDS', type: { kind: 'int-map' }, default: {},
    doc: 'Per-detector suppression windows in seconds (e.g. `{surge: 21600}`): an alert with the same key inside the window is merged into the first. Detectors: exploit, trw, threshold, recon, sweep, surge, growth.' },
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
  { path: 'alerts.syslog', env: 'VIGIL_ALERTS_SYSLOG', type: { kind: 'syslog-list' }, default: [],
    doc: 'Syslog collectors (SIEM): a list of `{name, host, port, transport: udp|tcp|tls, facility?, minSeverity?, caFile?}` (JSON array in env). Each alert goes as CEF inside an RFC 5424 message (TCP and TLS framed by octet counting, RFC 6587), spooled in `<dataDir>/spool` while the collector is down; TLS verifies the collector against `caFile` (PEM) or the system CAs. Facility defaults to local4.' },
  { path: 'share.organization', env: 'VIGIL_SHARE_ORGANIZATION', type: { kind: 'string' }, default: 'Vigil node',
    doc: 'Name of the producing organisation in shared STIX 2.1 (its Identity is created_by_ref of every object).' },
  { path: 'share.sensorName', env: 'VIGIL_SHARE_SENSOR_NAME', type: { kind: 'string' }, default: '',
    doc: 'Name of this sensor in STIX sightings (where_sighted_refs), ECS observer.name and syslog HOSTNAME; empty means the host name.' },
  { path: 'share.tlp', env: 'VIGIL_SHARE_TLP', type: { kind: 'enum', values: ['white', 'green', 'amber', 'red'] }, default: 'amber',
    doc: 'TLP marking (STIX 2.1 TLP marking definition) on every shared STIX object.' },
  { path: 'share.taxii.path', env: 'VIGIL_SHARE_TAXII_PATH', type: { kind: 'string' }, default: '/taxii2',
    doc: 'Path under which `vigil up` serves TAXII 2.1 (discovery at `<path>/`, API root `<path>/vigil/`); `off` serves none. Collections: `vigil-sightings` (the node publishes every alert there as STIX) and `partner-inbox` (partners write).' },
  { path: 'share.taxii.users', env: 'VIGIL_SHARE_TAXII_USERS', type: { kind: 'taxii-user-list' }, default: [],
    doc: 'TAXII users besides the API token holder (`admin`, who reads and writes all): a list of `{name, token, read: [aliases], write: [aliases]}` (JSON array in env), `*` for every collection; a token has at least 16 characters and is given as Bearer or as the HTTP Basic password.' },
  { path: 'share.taxii.push', env: 'VIGIL_SHARE_TAXII_PUSH', type: { kind: 'taxii-push-list' }, default: [],
    doc: "Partners' TAXII 2.1 collections that every alert's STIX objects are pushed to: a list of `{name, url, token}` or `{name, url, username, password}` where url is the collection's URL (`.../collections/<id>/`); spooled in `<dataDir>/spool` while the partner is down." },
  { path: 'share.taxii.poll', env: 'VIGIL_SHARE_TAXII_POLL', type: { kind: 'taxii-poll-list' }, default: [],
    doc: "Partners' TAXII 2.1 collections polled on a schedule: a list of `{name, url, token}` or `{name, url, username, password}`, with `intervalSeconds` (default 3600, at least 1). `added_after` is kept in `<dataDir>/taxii`; their address indicators (and those partners POST to `partner-inbox`) make a watchlist: traffic from a listed source raises an `intel/partner_indicator` alert naming the partner and the indicator." },
  { path: 'share.taxii.limits', env: 'VIGIL_SHARE_TAXII_LIMITS', type: { kind: 'int-map' }, default: {},
    doc: 'Overrides of the TAXII server limits (maxContentBytes, maxObjectBytes, maxObjectDepth, maxObjectsPerEnvelope, maxObjectsPerCollection, defaultPageSize, maxPageSize, maxMatchValues, maxQueryChars, maxStatuses), checked by the server (docs/sharing.md).' },
  { path: 'log.level', env: 'VIGIL_LOG_LEVEL', flag: '--log-level <level>', type: { kind: 'enum', values: LOG_LEVELS }, default: 'info',
    doc: `Log level (pino): ${LOG_LEVELS.join(', ')}. HTTP access lines are logged at debug.` },
  { path: 'log.format', env: 'VIGIL_LOG_FORMAT', flag: '--log-format <format>', type: { kind: 'enum', values: LOG_FORMATS }, default: 'auto',
    doc: 'Console log format on stderr: `pretty` is one readable line per entry (time, level, module, message, fields), `json` is pino\'s JSON lines for collectors; `auto` is pretty on a terminal and JSON otherwise.' },
  ...DETECT_KEYS,
  ...EXPOSURE_KEYS,
];
