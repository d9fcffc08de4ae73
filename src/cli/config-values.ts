// One configuration value checked against its key's type, wherever it came from (file, environment,
// flag): a typed value, or AppError VIGIL_ERR_CONFIG naming where it came from and what was expected.

import { AppError } from '../core/errors.js';
import { WEBHOOK_NAME_PATTERN } from '../detect/webhook-sink.js';
import { SYSLOG_FACILITIES } from '../share/siem/syslog-format.js';
import { SEVERITIES, type ConfigKey } from './config-keys.js';
import type { SyslogConfig, TaxiiPollConfig, TaxiiPushConfig, TaxiiUserConfig, WebhookConfig } from './config-types.js';

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
export function checkValue(key: ConfigKey, v: unknown, where: string): unknown {
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
