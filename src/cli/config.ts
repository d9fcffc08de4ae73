// Vigil's configuration: a YAML file, VIGIL_* environment variables and command-line flags, merged
// in that order (flags > env > file > defaults) and validated key by key (AppError VIGIL_ERR_CONFIG).

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../core/errors.js';
import { Allowlist } from '../detect/allowlist.js';
import { CONFIG_KEYS, type ConfigKey } from './config-keys.js';
import type { ConfigInput, DetectConfig, VigilConfig } from './config-types.js';
import { checkValue, parseKeyText } from './config-values.js';

export { CONFIG_KEYS, type ConfigKey } from './config-keys.js';
export type * from './config-types.js';
export { parseKeyText } from './config-values.js';

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
      silentAfterSeconds: get('fleet.silentAfterSeconds'),
      expectedSensors: get('fleet.expectedSensors'),
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
