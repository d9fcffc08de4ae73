// Vigil's configuration: a YAML file, VIGIL_* environment variables and command-line flags, merged
// in that order (flags > env > file > defaults) and validated key by key (AppError VIGIL_ERR_CONFIG).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../core/errors.js';
import { Allowlist } from '../detect/allowlist.js';
import { WEBHOOK_NAME_PATTERN } from '../detect/webhook-sink.js';
import { SYSLOG_FACILITIES, type SyslogFacility } from '../share/siem/syslog-format.js';
import { CONFIG_KEYS, SEVERITIES, type ConfigKey, type LOG_LEVELS, type PERSONA_OS } from './config-keys.js';

export { CONFIG_KEYS, type ConfigKey } from './config-keys.js';

export type PersonaOs = (typeof PERSONA_OS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AlertSeverity = (typeof SEVERITIES)[number];

export interface WebhookConfig {
  readonly name: string;
  readonly url: string;
  readonly secret: string;
}

export interface SyslogConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly facility?: SyslogFacility;
  readonly minSeverity?: AlertSeverity;
  readonly caFile?: string;
}

export interface TaxiiUserConfig {
  readonly name: string;
  readonly token: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

export interface TaxiiPushConfig {
  readonly name: string;
  readonly url: string;
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface TaxiiPollConfig extends TaxiiPushConfig {
  readonly intervalSeconds: number;
}

export interface ShareConfig {
  readonly organization: string;
  readonly sensorName: string;
  readonly tlp: 'white' | 'green' | 'amber' | 'red';
  readonly taxii: {
    readonly path: string;
    readonly users: readonly TaxiiUserConfig[];
    readonly push: readonly TaxiiPushConfig[];
    readonly poll: readonly TaxiiPollConfig[];
    readonly limits: Readonly<Record<string, number>>;
  };
}

export interface AlertsConfig {
  readonly minSeverity: AlertSeverity;
  /** Detector name -> suppression window in seconds. */
  readonly suppressSeconds: Readonly<Record<string, number>>;
  readonly webhooks: readonly WebhookConfig[];
  readonly syslog: readonly SyslogConfig[];
  readonly email: { readonly smtpUrl: string; readonly from: string; readonly to: readonly string[]; readonly minSeverity: AlertSeverity };
}

export interface PersonaConfig {
  readonly hostname: string;
  readonly domain: string;
  /** Addresses the persona claims (ServerAlive2 bindings, towers); empty = the listening address. */
  readonly addresses: readonly string[];
  readonly os: PersonaOs;
  readonly rpcssPatch: 'undisclosed' | 'none' | 'KB823980' | 'KB824146';
}

export interface VigilConfig {
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly publicUrl: string };
  readonly csaf: { readonly publisherName: string; readonly publisherNamespace: string; readonly publisherCategory: string };
  readonly feeds: {
    readonly intervalMinutes: number; readonly kevUrl: string; readonly epssUrl: string; readonly epssJump: number;
    readonly nvdUrl: string; readonly nvdApiKey: string; readonly csafProviders: readonly string[];
  };
  readonly subscriptions: { readonly vendors: readonly string[]; readonly products: readonly string[]; readonly keywords: readonly string[] };
  readonly scan: {
    readonly intervalMinutes: number; readonly targets: readonly string[]; readonly scopeFile: string;
    readonly ports: readonly number[]; readonly rpcPorts: readonly number[]; readonly checks: readonly string[];
  };
  readonly sensor: {
    readonly ports: readonly number[];
    readonly portOffset: number;
    readonly persona: PersonaConfig;
    /** Passed through to the sensor's resolveLimits, which validates names and ranges. */
    readonly limits: Readonly<Record<string, number>>;
  };
  readonly store: {
    readonly retention: { readonly maxAgeDays: number; readonly maxSizeMb: number };
    /** SQLite synchronous mode: `full` survives power loss, `normal` survives process crashes. */
    readonly synchronous: 'full' | 'normal';
    readonly backend: 'sqlite' | 'postgres';
    /** PostgreSQL URL (backend postgres). */
    readonly url: string;
  };
  readonly fleet: FleetConfig;
  readonly alerts: AlertsConfig;
  readonly share: ShareConfig;
  readonly log: { readonly level: LogLevel; readonly format: 'auto' | 'pretty' | 'json' };
  readonly detect: DetectConfig;
  readonly exposure: ExposureConfig;
  /** The file that was read, if any (for messages). */
  readonly configFile?: string;
}

/** The fleet.* keys: this node's role in a sensor network and how it reaches the NATS server. */
export interface FleetConfig {
  readonly role: 'single' | 'sensor' | 'hub';
  readonly url: string;
  readonly sensorName: string;
  readonly user: string;
  readonly password: string;
  readonly token: string;
  readonly nkeySeedFile: string;
  readonly tlsCaFile: string;
  readonly spoolMaxMb: number;
  readonly streamMaxAgeDays: number;
}

/** The detect.* keys: the allowlist, and each detector's thresholds by name (checked by its resolveLimits). */
export interface DetectConfig {
  readonly allowlist: readonly string[];
  readonly surge: Readonly<Record<string, number>>;
  readonly trw: Readonly<Record<string, number>>;
  readonly threshold: Readonly<Record<string, number>>;
  readonly recon: Readonly<Record<string, number>>;
  readonly sweep: Readonly<Record<string, number>>;
  readonly exploit: Readonly<Record<string, number>> & { readonly minAnomalySeverity?: AlertSeverity };
}

/** The exposure.* keys: days to fix per severity, and the inventory importers' limits by name. */
export interface ExposureConfig {
  readonly dueDays: { readonly critical: number; readonly high: number; readonly medium: number; readonly low: number; readonly unknown: number };
  readonly import: Readonly<Record<string, number>>;
}

/** A nested partial of the configuration, as flags or a file give it. */
export type ConfigInput = { readonly [k: string]: unknown };

export interface LoadConfigOptions {
  /** Explicit file (--config / VIGIL_CONFIG): must exist. Otherwise ./vigil.yaml if present. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from flags, nested like the file (e.g. { http: { port: 9000 } }); undefined = unset. */
  readonly flags?: ConfigInput;
  /** Directory relative paths (dataDir, default file) resolve against; default process.cwd(). */
  readonly cwd?: string;
}

export const DEFAULT_CONFIG_FILE = 'vigil.yaml';

/** Load, merge and validate. Throws AppError('VIGIL_ERR_CONFIG') naming the key and what was expected. */
export function loadConfig(opts: LoadConfigOptions = {}): VigilConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const { file, values: fromFile } = readConfigFile(opts.file ?? env.VIGIL_CONFIG, cwd);
  const merged = new Map<string, unknown>();
  for (const key of CONFIG_KEYS) merged.set(key.path, key.default);
  for (const [path, v] of flatten(fromFile, String(file))) merged.set(path, checkValue(keyFor(path, String(file)), v, `${file}: ${path}`));
  for (const key of CONFIG_KEYS) {
    const raw = env[key.env];
    if (raw !== undefined && raw !== '') merged.set(key.path, checkValue(key, parseKeyText(key, raw, `environment ${key.env}`), `environment ${key.env}`));
  }
  for (const [path, v] of flatten(opts.flags ?? {}, 'flags')) {
    // name the flag the user typed (`--http-port`), with the key it sets for the config file
    const key = keyFor(path, 'flags');
    merged.set(path, checkValue(key, v, key.flag ? `${key.flag.split(' ')[0]} (${path})` : `flag for ${path}`));
  }
  const config = build(merged, cwd);
  return file === undefined ? config : { ...config, configFile: file };
}

function readConfigFile(explicit: string | undefined, cwd: string): { file?: string; values: ConfigInput } {
  const file = explicit !== undefined ? resolve(cwd, explicit) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit !== undefined) throw new AppError('VIGIL_ERR_CONFIG', `config file not found: ${file}`);
    return { values: {} };
  }
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AppError('VIGIL_ERR_CONFIG', `${file}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`, undefined, { cause: e });
  }
  if (doc === null || doc === undefined) return { file, values: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new AppError('VIGIL_ERR_CONFIG', `${file}: expected a mapping of keys at the top level`);
  return { file, values: doc as ConfigInput };
}

/** Leaf paths of a nested object; `sensor.limits` (an opaque map) and arrays are leaves. */
function flatten(obj: ConfigInput, origin: string, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const known = CONFIG_KEYS.some((key) => key.path === path);
    const children = CONFIG_KEYS.filter((key) => key.path.startsWith(`${path}.`)).map((key) => key.path);
    const isMap = v !== null && typeof v === 'object' && !Array.isArray(v);
    // `http:` with nothing under it is an empty section in YAML, not a value.
    if (v === undefined || (v === null && children.length > 0)) continue;
    if (known) {
      out.push([path, v]);
    } else if (children.length === 0) {
      keyFor(path, origin); // throws: unknown key, with the known ones nearby
    } else if (!isMap) {
      throw new AppError('VIGIL_ERR_CONFIG', `${origin}: ${path}: expected a mapping with keys ${children.join(', ')}, got ${JSON.stringify(v)}`, { key: path });
    } else {
      out.push(...flatten(v as ConfigInput, origin, path));
    }
  }
  return out;
}

function keyFor(path: string, origin: string): ConfigKey {
  const key = CONFIG_KEYS.find((k) => k.path === path);
  if (!key) {
    const near = CONFIG_KEYS.filter((k) => k.path.split('.')[0] === path.split('.')[0]).map((k) => k.path);
    const hint = near.length ? ` (known keys there: ${near.join(', ')})` : ` (known: ${CONFIG_KEYS.map((k) => k.path).join(', ')})`;
    throw new AppError('VIGIL_ERR_CONFIG', `unknown configuration key "${path}" in ${origin}${hint}`, { key: path });
  }
  return key;
}

/** Parse a key's value written as text (environment variable or flag) into its typed form. */
export function parseKeyText(key: ConfigKey, raw: string, where: string): unknown {
  switch (key.type.kind) {
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'number':
      return /^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(raw.trim()) ? Number(raw) : raw;
    case 'int-list':
      return raw.split(',').map((s) => (/^\s*\d+\s*$/.test(s) ? Number(s) : s.trim()));
    case 'string-list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'int-map':
    case 'webhook-list':
    case 'syslog-list':
    case 'taxii-user-list':
    case 'taxii-push-list':
    case 'taxii-poll-list':
      return parseJsonText(raw, where, key.path);
    default:
      return raw;
  }
}

function parseJsonText(raw: string, where: string, path: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AppError('VIGIL_ERR_CONFIG', `${where}: expected a JSON object such as {"maxConnections":512}, got ${JSON.stringify(raw)}`, { key: path });
  }
}

/** Check one value against its key's type; the message names where it came from and what was expected. */
function checkValue(key: ConfigKey, v: unknown, where: string): unknown {
  const t = key.type;
  const fail = (expected: string): never => {
    throw new AppError('VIGIL_ERR_CONFIG', `${where}: expected ${expected}, got ${JSON.stringify(v)}`, { key: key.path });
  };
  const isInt = (x: unknown, min: number, max: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
  switch (t.kind) {
    case 'string':
      if (typeof v !== 'string' || v === '') fail('a non-empty string');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !t.values.includes(v)) fail(`one of ${t.values.join(', ')}`);
      return v;
    case 'int':
      if (!isInt(v, t.min, t.max)) fail(`an integer from ${t.min} to ${t.max}`);
      return v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < t.min || v > t.max) fail(`a number from ${t.min} to ${t.max}`);
      return v;
    case 'int-list':
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => isInt(x, t.min, t.max))) fail(`a non-empty list of integers from ${t.min} to ${t.max}`);
      if (new Set(v as number[]).size !== (v as number[]).length) fail('a list without duplicates');
      return v;
    case 'string-list':
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) fail('a list of non-empty strings');
      return v;
    case 'int-map':
      if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('a mapping of limit names to integers');
      for (const [name, n] of Object.entries(v as object)) {
        if (typeof n !== 'number' || !Number.isInteger(n)) fail(`an integer for ${key.path}.${name}`);
      }
      return v;
    case 'webhook-list':
      return checkWebhooks(v, fail, where);
    case 'syslog-list':
      return checkSyslog(v, where);
    case 'taxii-user-list':
      return checkTaxiiUsers(v, where);
    case 'taxii-push-list':
      return checkTaxiiPush(v, where);
    case 'taxii-poll-list':
      return checkTaxiiPoll(v, where);
  }
}

function checkWebhooks(v: unknown, fail: (expected: string) => never, where: string): WebhookConfig[] {
  const expected = 'a list of {name, url, secret} with an http(s) url and a secret of at least 16 characters';
  if (!Array.isArray(v)) fail(expected);
  const out: WebhookConfig[] = [];
  for (const [i, w] of (v as unknown[]).entries()) {
    if (w === null || typeof w !== 'object') fail(expected);
    const { name, url, secret } = w as Record<string, unknown>;
    // The name becomes part of the spool file names: `../../..` would put them outside the data directory.
    if (typeof name !== 'string' || !WEBHOOK_NAME_PATTERN.test(name)) {
      throw new AppError('VIGIL_ERR_CONFIG', `${where}: alerts.webhooks[${i}].name must match ${WEBHOOK_NAME_PATTERN.source}, got ${JSON.stringify(name)}`, { key: 'alerts.webhooks' });
    }
    if (typeof url !== 'string' || !/^https?:\/\/[^\s]+$/.test(url)) fail(expected);
    // A short secret makes the HMAC signature guessable; refuse it rather than sign weakly.
    if (typeof secret !== 'string' || secret.length < 16) fail(expected);
    out.push({ name: name as string, url: url as string, secret: secret as string });
  }
  if (new Set(out.map((w) => w.name)).size !== out.length) fail('webhooks with distinct names');
  return out;
}

/** Each entry of a list key must be a mapping; `bad(i, what)` names the entry and the field. */
function entries(v: unknown, key: string, where: string): Record<string, unknown>[] {
  if (!Array.isArray(v) || !v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
    throw new AppError('VIGIL_ERR_CONFIG', `${where}: ${key} must be a list of mappings`, { key });
  }
  const names = v.map((x) => (x as Record<string, unknown>).name);
  names.forEach((n, i) => {
    if (typeof n !== 'string' || !WEBHOOK_NAME_PATTERN.test(n)) throw new AppError('VIGIL_ERR_CONFIG', `${where}: ${key}[${i}].name must match ${WEBHOOK_NAME_PATTERN.source}, got ${JSON.stringify(n)}`, { key });
  });
  if (new Set(names).size !== names.length) throw new AppError('VIGIL_ERR_CONFIG', `${where}: ${key}: names must be distinct`, { key });
  return v as Record<string, unknown>[];
}

function bad(key: string, i: number, what: string, where: string): never {
  throw new AppError('VIGIL_ERR_CONFIG', `${where}: ${key}[${i}]: ${what}`, { key });
}

function checkSyslog(v: unknown, where: string): SyslogConfig[] {
  const key = 'alerts.syslog';
  return entries(v, key, where).map((e, i) => {
    if (typeof e.host !== 'string' || e.host === '') bad(key, i, 'host must be a non-empty string', where);
    if (!Number.isInteger(e.port) || (e.port as number) < 1 || (e.port as number) > 65535) bad(key, i, 'port must be an integer from 1 to 65535', where);
    if (!['udp', 'tcp', 'tls'].includes(e.transport as string)) bad(key, i, 'transport must be udp, tcp or tls', where);
    if (e.facility !== undefined && !(String(e.facility) in SYSLOG_FACILITIES)) bad(key, i, `facility must be one of ${Object.keys(SYSLOG_FACILITIES).join(', ')}`, where);
    if (e.minSeverity !== undefined && !(SEVERITIES as readonly string[]).includes(e.minSeverity as string)) bad(key, i, `minSeverity must be one of ${SEVERITIES.join(', ')}`, where);
    if (e.caFile !== undefined && (typeof e.caFile !== 'string' || e.caFile === '')) bad(key, i, 'caFile must be a path', where);
    return e as unknown as SyslogConfig;
  });
}

function stringList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string' && s !== '');
}

function checkTaxiiUsers(v: unknown, where: string): TaxiiUserConfig[] {
  const key = 'share.taxii.users';
  return entries(v, key, where).map((e, i) => {
    // A short token is guessable; refuse it rather than authenticate weakly (as webhook secrets).
    if (typeof e.token !== 'string' || e.token.length < 16 || /\s/.test(e.token)) bad(key, i, 'token must be at least 16 characters without spaces', where);
    if (e.name === 'admin') bad(key, i, 'the name admin is the API token holder', where);
    if (!stringList(e.read ?? []) || !stringList(e.write ?? [])) bad(key, i, 'read and write must be lists of collection aliases (or *)', where);
    return { name: e.name as string, token: e.token as string, read: (e.read ?? []) as string[], write: (e.write ?? []) as string[] };
  });
}

function checkTaxiiPoll(v: unknown, where: string): TaxiiPollConfig[] {
  const key = 'share.taxii.poll';
  return checkTaxiiPush(v, where, key).map((e, i) => {
    const s = (e as { intervalSeconds?: unknown }).intervalSeconds ?? 3600;
    if (!Number.isInteger(s) || (s as number) < 1 || (s as number) > 7 * 86_400) bad(key, i, 'intervalSeconds must be an integer from 1 to 604800', where);
    return { ...e, intervalSeconds: s as number };
  });
}

function checkTaxiiPush(v: unknown, where: string, key = 'share.taxii.push'): TaxiiPushConfig[] {
  return entries(v, key, where).map((e, i) => {
    if (typeof e.url !== 'string' || !/^https?:\/\/\S+\/collections\/[^/\s]+\/?$/.test(e.url)) bad(key, i, 'url must be the http(s) URL of a TAXII collection, .../collections/<id>/', where);
    const token = typeof e.token === 'string' && e.token !== '';
    const basic = typeof e.username === 'string' && typeof e.password === 'string';
    if (token === basic) bad(key, i, 'give either token, or username and password', where);
    return e as unknown as TaxiiPushConfig;
  });
}

/** detect.<detector>.<name> keys grouped per detector, as the detectors' option objects take them. */
function detectSection(m: Map<string, unknown>): DetectConfig {
  const group = (det: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [path, v] of m) if (path.startsWith(`detect.${det}.`)) out[path.slice(det.length + 8)] = v;
    return out;
  };
  const allowlist = m.get('detect.allowlist') as string[];
  new Allowlist(allowlist, 'detect.allowlist'); // refuse a bad entry at load time, naming the key
  return {
    allowlist,
    surge: group('surge') as Record<string, number>,
    trw: group('trw') as Record<string, number>,
    threshold: group('threshold') as Record<string, number>,
    recon: group('recon') as Record<string, number>,
    sweep: group('sweep') as Record<string, number>,
    exploit: group('exploit') as DetectConfig['exploit'],
  };
}

/** `/taxii2` style: a path of safe segments without a trailing slash, or `off`. */
function taxiiPath(p: string): string {
  if (p === 'off') return p;
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(p) || p.startsWith('/api/')) {
    throw new AppError('VIGIL_ERR_CONFIG', `share.taxii.path: expected a path such as /taxii2 (not under /api), or off; got ${JSON.stringify(p)}`, { key: 'share.taxii.path' });
  }
  return p;
}

function build(m: Map<string, unknown>, cwd: string): VigilConfig {
  const get = <T>(p: string): T => m.get(p) as T;
  const config: VigilConfig = {
    dataDir: resolve(cwd, get<string>('dataDir')),
    http: { host: get('http.host'), port: get('http.port'), publicUrl: get('http.publicUrl') },
    feeds: {
      intervalMinutes: get('feeds.intervalMinutes'), kevUrl: get('feeds.kevUrl'), epssUrl: get('feeds.epssUrl'), epssJump: get('feeds.epssJump'),
      nvdUrl: get('feeds.nvdUrl'), nvdApiKey: get('feeds.nvdApiKey'), csafProviders: get('feeds.csafProviders'),
    },
    subscriptions: { vendors: get('subscriptions.vendors'), products: get('subscriptions.products'), keywords: get('subscriptions.keywords') },
    scan: {
      intervalMinutes: get('scan.intervalMinutes'), targets: get('scan.targets'), scopeFile: get('scan.scopeFile'),
      ports: get('scan.ports'), rpcPorts: get('scan.rpcPorts'), checks: get('scan.checks'),
    },
    csaf: {
      publisherName: get('csaf.publisherName'),
      publisherNamespace: get('csaf.publisherNamespace'),
      publisherCategory: get('csaf.publisherCategory'),
    },
    sensor: {
      ports: get('sensor.ports'),
      portOffset: get('sensor.portOffset'),
      persona: {
        hostname: get('sensor.persona.hostname'),
        domain: get('sensor.persona.domain'),
        addresses: get('sensor.persona.addresses'),
        os: get('sensor.persona.os'),
        rpcssPatch: get('sensor.persona.rpcssPatch'),
      },
      limits: get('sensor.limits'),
    },
    store: {
      retention: { maxAgeDays: get('store.retention.maxAgeDays'), maxSizeMb: get('store.retention.maxSizeMb') },
      synchronous: get('store.synchronous'),
      backend: get('store.backend'),
      url: get('store.url'),
    },
    fleet: {
      role: get('fleet.role'),
      url: get('fleet.url'),
      sensorName: get('fleet.sensorName'),
      user: get('fleet.user'),
      password: get('fleet.password'),
      token: get('fleet.token'),
      nkeySeedFile: get('fleet.nkeySeedFile'),
      tlsCaFile: get('fleet.tlsCaFile'),
      spoolMaxMb: get('fleet.spoolMaxMb'),
      streamMaxAgeDays: get('fleet.streamMaxAgeDays'),
    },
    alerts: {
      minSeverity: get('alerts.minSeverity'),
      suppressSeconds: get('alerts.suppressSeconds'),
      webhooks: get('alerts.webhooks'),
      syslog: get('alerts.syslog'),
      email: {
        smtpUrl: get('alerts.email.smtpUrl'),
        from: get('alerts.email.from'),
        to: get('alerts.email.to'),
        minSeverity: get('alerts.email.minSeverity'),
      },
    },
    share: {
      organization: get('share.organization'),
      sensorName: get('share.sensorName'),
      tlp: get('share.tlp'),
      taxii: { path: taxiiPath(get('share.taxii.path')), users: get('share.taxii.users'), push: get('share.taxii.push'), poll: get('share.taxii.poll'), limits: get('share.taxii.limits') },
    },
    log: { level: get('log.level'), format: get('log.format') },
    detect: detectSection(m),
    exposure: {
      dueDays: {
        critical: get('exposure.dueDays.critical'), high: get('exposure.dueDays.high'), medium: get('exposure.dueDays.medium'),
        low: get('exposure.dueDays.low'), unknown: get('exposure.dueDays.unknown'),
      },
      import: Object.fromEntries([...m].filter(([p]) => p.startsWith('exposure.import.')).map(([p, v]) => [p.slice('exposure.import.'.length), v as number])),
    },
  };
  const overflow = config.sensor.ports.find((p) => p + config.sensor.portOffset > 65535);
  if (overflow !== undefined) {
    throw new AppError('VIGIL_ERR_CONFIG', `sensor.portOffset: ${config.sensor.portOffset} moves port ${overflow} past 65535`, { key: 'sensor.portOffset' });
  }
  return config;
}
