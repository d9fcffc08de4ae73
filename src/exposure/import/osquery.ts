// osquery results (osquery.readthedocs.io "Logging": results logs, differential `columns` events and
// `snapshot` events, one JSON object per line; or `osqueryi --json` arrays of rows). Tables are told
// by their columns: os_version, patches (Windows hotfixes), programs, system_info, interface_addresses,
// interface_details. Hosts are told by hostIdentifier (or the `host` hint for osqueryi output).

import { AppError } from '../../core/errors.js';
import { canonicalAddress } from '../../core/ip-address.js';
import type { AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';
import { windowsCpe } from '../os-cpe.js';
import { HostGroups, timeOf } from './host-groups.js';
import type { ObservationBuilder } from '../asset-observation.js';
import { parseJsonAt, textLines } from './text-lines.js';

type Row = Record<string, unknown>;

export interface OsqueryOptions {
  /** Host name or address the rows describe, when they do not say (osqueryi output). */
  readonly host?: string;
}

export async function parseOsquery(chunks: AsyncIterable<string> | Iterable<string>, file: string, limits: ImportLimits, now: number, opts: OsqueryOptions = {}): Promise<AssetObservation[]> {
  const groups = new HostGroups(limits, 'osquery');
  let text = '';
  let first: string | undefined;
  for await (const { line, no } of textLines(chunks, file, limits.maxLineBytes)) {
    first ??= line.trim() === '' ? undefined : line.trim();
    if (first?.startsWith('[')) {
      text += `${line}\n`;
      continue;
    }
    if (line.trim() === '') continue;
    const ev = parseJsonAt(line, file, no);
    if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) throw new AppError('VIGIL_ERR_BAD_FILE', `${file}:${no}: expected a JSON object`);
    resultEvent(groups, ev as Row, `${file}:${no}`, now, opts);
  }
  if (first?.startsWith('[')) {
    const rows = parseJsonAt(text, file, 1);
    if (!Array.isArray(rows)) throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: expected a JSON array of rows`);
    rowsOf(groups, rows, undefined, `${file}`, now, opts, true);
  }
  return groups.observations(file);
}

/** One results-log line: a snapshot, a differential event with `columns`, or a batch with diffResults. */
function resultEvent(groups: HostGroups, ev: Row, where: string, now: number, opts: OsqueryOptions): void {
  const decorations = (ev['decorations'] ?? {}) as Row;
  const host = str(ev['hostIdentifier']) ?? str(decorations['hostname']) ?? opts.host;
  const seen = timeOf(ev['unixTime'], timeOf(ev['calendarTime'], now));
  if (Array.isArray(ev['snapshot'])) return rowsOf(groups, ev['snapshot'], host, where, seen, opts, true);
  if (ev['columns'] !== null && typeof ev['columns'] === 'object') {
    // A "removed" row says the row is gone; this import only adds what is present, so it is skipped.
    if (ev['action'] === 'removed') return;
    return rowsOf(groups, [ev['columns']], host, where, seen, opts, false);
  }
  const diff = ev['diffResults'] as Row | undefined;
  if (diff && Array.isArray(diff['added'])) return rowsOf(groups, diff['added'], host, where, seen, opts, false);
  throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: not an osquery result (no snapshot, columns or diffResults)`);
}

function rowsOf(groups: HostGroups, rows: unknown[], host: string | undefined, where: string, seen: number, opts: OsqueryOptions, complete: boolean): void {
  rows.forEach((r, i) => {
    const w = rows.length > 1 ? `${where} row ${i + 1}` : where;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new AppError('VIGIL_ERR_BAD_FILE', `${w}: expected a row object`);
    const row = r as Row;
    const h = host ?? str(row['csname']) ?? str(row['hostname']) ?? str(row['computer_name']) ?? opts.host;
    if (h === undefined) throw new AppError('VIGIL_ERR_BAD_FILE', `${w}: the row names no host (osqueryi output: pass --host NAME)`);
    const b = groups.host(h.toLowerCase(), w, seen);
    // The host key itself: an address or a name.
    b.add(canonicalAddress(h) !== undefined ? 'address' : 'name', h, w);
    applyRow(b, row, w, complete);
  });
}

function applyRow(b: ObservationBuilder, row: Row, w: string, complete: boolean): void {
  if ('hotfix_id' in row) {
    // A snapshot of the patches table lists every installed hotfix: one missing now was removed.
    if (complete) b.completeKind('hotfix');
    b.add('hotfix', str(row['hotfix_id']), w, pick(row, ['description', 'installed_on', 'installed_by']));
  } else if ('platform' in row && ('major' in row || 'build' in row) && 'name' in row) {
    const name = str(row['name']) ?? '';
    const version = str(row['version']);
    b.add('os', version ? `${name} ${version}` : name, w, pick(row, ['platform', 'build', 'arch', 'codename']));
    const cpe = row['platform'] === 'windows' || /windows/i.test(name) ? windowsCpe(name, version) : undefined;
    b.add('cpe', cpe, w, { from: 'os_version' });
  } else if ('name' in row && 'version' in row && ('publisher' in row || 'install_location' in row)) {
    if (complete) b.completeKind('program');
    const name = str(row['name']);
    if (name !== undefined) b.add('program', `${name}${str(row['version']) ? ` ${str(row['version'])}` : ''}`, w, pick(row, ['publisher', 'install_date']));
  } else if ('address' in row && 'interface' in row) {
    const a = str(row['address']);
    const canon = a !== undefined ? canonicalAddress(a.replace(/%.*$/, '')) : undefined;
    // Loopback and link-local addresses name every host alike; they would merge unrelated machines.
    if (canon !== undefined && !/^(127\.|::1$|fe80:)/.test(canon)) b.add('address', canon, w, { interface: str(row['interface']) ?? '' });
  } else if ('mac' in row && 'interface' in row) {
    const mac = str(row['mac']);
    if (mac !== undefined && !/^(00:){5}00$/.test(mac)) b.add('mac', mac, w);
  } else if ('computer_name' in row || 'hostname' in row) {
    b.add('name', str(row['hostname']), w);
    b.add('name', str(row['computer_name']), w);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
}

function pick(row: Row, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = str(row[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
