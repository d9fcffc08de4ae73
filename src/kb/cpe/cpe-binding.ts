// CPE 2.3 names: the well-formed name (WFN) and its two bindings, the formatted string
// ("cpe:2.3:...") and the legacy URI ("cpe:/...", what nmap emits). Follows NISTIR 7695 sections 5-6.
// Written by us: the npm CPE packages either lack URI unbinding or WFN quoting rules.

import { AppError } from '../../core/errors.js';

/** Logical values of NISTIR 7695 section 5.3.1: ANY (wildcard, "*" / "") and NA (not applicable, "-"). */
export const ANY = Object.freeze({ logical: 'ANY' as const });
export const NA = Object.freeze({ logical: 'NA' as const });
export type LogicalValue = typeof ANY | typeof NA;

/** A WFN attribute value: a logical value, or a string in WFN form (non-alphanumerics other than "_"
 * quoted with a backslash; an unquoted "*" or "?" at either end is a wildcard). */
export type WfnValue = LogicalValue | string;

export const WFN_ATTRIBUTES = [
  'part', 'vendor', 'product', 'version', 'update', 'edition',
  'language', 'sw_edition', 'target_sw', 'target_hw', 'other',
] as const;
export type WfnAttribute = (typeof WFN_ATTRIBUTES)[number];
export type Wfn = { readonly [K in WfnAttribute]: WfnValue };

export const isLogical = (v: WfnValue): v is LogicalValue => typeof v !== 'string';

function bad(input: string, why: string): AppError {
  return new AppError('VIGIL_ERR_BAD_ARGUMENT', `invalid CPE name ${JSON.stringify(input)}: ${why}`, { input });
}

/** A WFN with every attribute ANY except those given. */
export function wfn(values: Partial<Record<WfnAttribute, WfnValue>>): Wfn {
  const out = {} as Record<WfnAttribute, WfnValue>;
  for (const a of WFN_ATTRIBUTES) out[a] = values[a] ?? ANY;
  return out;
}

const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

// ---------------------------------------------------------------- formatted string (section 6.2)

/** Splits on ":" that are not backslash-escaped. */
function splitUnescaped(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) { cur += c + s[i + 1]; i++; continue; }
    if (c === ':') { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** NISTIR 7695 6.2.3.3 unbind_value_fs / add_quoting. */
function unbindValueFs(s: string, whole: string): WfnValue {
  if (s === '*') return ANY;
  if (s === '-') return NA;
  if (s === '') throw bad(whole, 'empty component');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (isAlnum(c) || c === '_') out += c;
    else if (c === '\\') {
      if (i + 1 >= s.length) throw bad(whole, 'dangling escape');
      out += c + s[++i];
    } else if (c === '*' || c === '?') {
      out += c;
    } else if (c.charCodeAt(0) < 0x21 || c.charCodeAt(0) > 0x7e) {
      throw bad(whole, `character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} is not printable ASCII`);
    } else out += '\\' + c;
  }
  checkWildcards(out, whole);
  return out;
}

/** Parses a CPE 2.3 formatted string ("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"). */
export function parseFormattedString(fs: string): Wfn {
  if (!fs.toLowerCase().startsWith('cpe:2.3:')) throw bad(fs, 'does not start with "cpe:2.3:"');
  const parts = splitUnescaped(fs);
  if (parts.length !== 13) throw bad(fs, `expected 13 colon-separated components, got ${parts.length}`);
  const out = {} as Record<WfnAttribute, WfnValue>;
  WFN_ATTRIBUTES.forEach((a, i) => { out[a] = unbindValueFs(parts[i + 2], fs); });
  checkPart(out.part, fs);
  return out;
}

function checkPart(part: WfnValue, whole: string): void {
  if (typeof part === 'string' && !/^[aoh]$/i.test(part)) throw bad(whole, `part must be a, o or h, got "${part}"`);
}

/** NISTIR 7695 6.2.2.2 bind_value_for_formatted_string: ".", "-" and "_" need no quoting in a formatted string. */
function bindValueFs(v: WfnValue): string {
  if (v === ANY) return '*';
  if (v === NA) return '-';
  const s = v as string;
  // A value that is only a quoted hyphen would bind to "-", which unbinds as NA: keep it quoted.
  if (s === '\\-') return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') { out += c; continue; }
    const nxt = s[++i];
    out += nxt === '.' || nxt === '-' || nxt === '_' ? nxt : '\\' + nxt;
  }
  return out;
}

export function toFormattedString(w: Wfn): string {
  return 'cpe:2.3:' + WFN_ATTRIBUTES.map((a) => bindValueFs(w[a])).join(':');
}

// ---------------------------------------------------------------- URI (section 6.1)

const PCT_ENCODE: Record<string, string> = {};
for (const c of '!"#$%&\'()*+,/:;<=>?@[\\]^`{|}~') PCT_ENCODE[c] = '%' + c.charCodeAt(0).toString(16).padStart(2, '0');

/** NISTIR 7695 6.1.2.3 transform_for_uri. */
function bindValueUri(v: WfnValue): string {
  if (v === ANY) return '';
  if (v === NA) return '-';
  const s = v as string;
  if (s === '\\-') return '%2d'; // literal "-", not NA (see bindValueFs)
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (isAlnum(c) || c === '_') out += c;
    else if (c === '\\') {
      const nxt = s[++i];
      out += nxt === '-' || nxt === '.' ? nxt : (PCT_ENCODE[nxt] ?? nxt);
    } else if (c === '?') out += '%01';
    else if (c === '*') out += '%02';
    else out += c;
  }
  return out;
}

export function toUri(w: Wfn): string {
  const packed = [w.sw_edition, w.target_sw, w.target_hw, w.other];
  const edition = packed.every((v) => v === ANY)
    ? bindValueUri(w.edition)
    : '~' + [w.edition, ...packed].map(bindValueUri).join('~');
  const comps = [w.part, w.vendor, w.product, w.version, w.update].map(bindValueUri);
  comps.push(edition, bindValueUri(w.language));
  return ('cpe:/' + comps.join(':')).replace(/:+$/, '');
}

/** NISTIR 7695 6.1.3.2 decode: percent-decoding with %01 / %02 as wildcards, "." "-" "~" quoted. */
function unbindValueUri(raw: string, whole: string): WfnValue {
  const s = raw.toLowerCase();
  if (s === '') return ANY;
  if (s === '-') return NA;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '%') {
      if (c === '.' || c === '-' || c === '~') out += '\\' + c;
      else if (isAlnum(c) || c === '_') out += c;
      else throw bad(whole, `character "${c}" must be percent-encoded in a URI`);
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) throw bad(whole, `bad percent-encoding "%${hex}"`);
    i += 2;
    if (hex === '01' || hex === '02') {
      out += hex === '01' ? '?' : '*';
      continue;
    }
    const ch = String.fromCharCode(parseInt(hex, 16));
    if (!(ch in PCT_ENCODE) && ch !== '-' && ch !== '.') throw bad(whole, `"%${hex}" is not a CPE-encodable character`);
    out += '\\' + ch;
  }
  checkWildcards(out, whole);
  return out;
}

/** Unquoted "*" only as the first or last character; unquoted "?" only in a leading or trailing run. */
function checkWildcards(v: string, whole: string): void {
  const toks: string[] = [];
  for (let i = 0; i < v.length; i++) toks.push(v[i] === '\\' ? v[i] + v[++i] : v[i]);
  toks.forEach((t, i) => {
    if (t === '*' && i !== 0 && i !== toks.length - 1) throw bad(whole, '"*" is allowed only at the start or end of a value');
    if (t === '?' && !toks.slice(0, i).every((x) => x === '?') && !toks.slice(i).every((x) => x === '?')) {
      throw bad(whole, '"?" is allowed only at the start or end of a value');
    }
  });
}

/** Parses a CPE 2.2 URI ("cpe:/o:microsoft:windows_7::sp1"), including a packed "~" edition. */
export function parseUri(uri: string): Wfn {
  if (!uri.toLowerCase().startsWith('cpe:/')) throw bad(uri, 'does not start with "cpe:/"');
  const comps = uri.slice(5).split(':');
  if (comps.length > 7) throw bad(uri, `at most 7 components, got ${comps.length}`);
  const get = (i: number): string => comps[i] ?? '';
  const out: Record<string, WfnValue> = {};
  (['part', 'vendor', 'product', 'version', 'update'] as const).forEach((a, i) => { out[a] = unbindValueUri(get(i), uri); });
  const ed = get(5);
  if (ed.startsWith('~')) {
    const packed = ed.slice(1).split('~');
    if (packed.length !== 5) throw bad(uri, 'packed edition needs 5 "~"-separated fields');
    (['edition', 'sw_edition', 'target_sw', 'target_hw', 'other'] as const).forEach((a, i) => { out[a] = unbindValueUri(packed[i], uri); });
  } else out.edition = unbindValueUri(ed, uri);
  out.language = unbindValueUri(get(6), uri);
  checkPart(out.part, uri);
  return wfn(out);
}

/** Parses either binding. */
export function parseCpe(name: string): Wfn {
  return name.toLowerCase().startsWith('cpe:/') ? parseUri(name) : parseFormattedString(name);
}

/** The plain text of a WFN string value (quotes removed), for display and version comparison. */
export function unquote(v: WfnValue): string | undefined {
  return typeof v === 'string' ? v.replace(/\\(.)/g, '$1') : undefined;
}

/** WFN form of plain text: every non-alphanumeric other than "_" quoted (no wildcards). */
export function quote(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, (c) => '\\' + c);
}
