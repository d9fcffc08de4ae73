// A CSV inventory (one host per row; a header names the columns, in any order and case): address/ip,
// hostname/name, mac, os, cpe, owner, tags, services/ports, hotfixes; several values in one cell are
// separated by ";" or spaces. Parsed with csv-parse, each record bounded by maxLineBytes.

import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { AppError } from '../../core/errors.js';
import type { FactKind } from '../../model/asset.js';
import { ObservationBuilder, type AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';
import { windowsCpe } from '../os-cpe.js';

/** Header name (lower case) -> the fact it fills. */
const COLUMNS: Readonly<Record<string, FactKind>> = {
  address: 'address', addresses: 'address', ip: 'address', ip_address: 'address', ipaddress: 'address',
  hostname: 'name', host: 'name', name: 'name', names: 'name', fqdn: 'name',
  mac: 'mac', mac_address: 'mac',
  os: 'os', operating_system: 'os',
  cpe: 'cpe', cpes: 'cpe',
  owner: 'owner',
  tags: 'tag', tag: 'tag',
  services: 'service', ports: 'service', port: 'service',
  hotfixes: 'hotfix', hotfix: 'hotfix', kb: 'hotfix', patches: 'hotfix',
};
const LIST_KINDS = new Set<FactKind>(['address', 'name', 'mac', 'cpe', 'tag', 'service', 'hotfix']);

export async function parseCsvInventory(chunks: AsyncIterable<string> | Iterable<string>, file: string, limits: ImportLimits, now: number): Promise<AssetObservation[]> {
  const parser = parse({ columns: headerOf(file), skip_empty_lines: true, trim: true, bom: true, info: true, max_record_size: limits.maxLineBytes, relax_column_count: false });
  // pipeline, not write(): a parse error (or a refused header) must end the iteration below as a
  // rejection instead of leaving a writer waiting for 'drain' forever.
  const source = Readable.from(chunks);
  pipeline(source, parser, () => { /* the error, if any, also ends the iteration below */ });
  const out: AssetObservation[] = [];
  try {
    for await (const { record: rec, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      // the line the record ends on (a quoted cell may span lines)
      const line = info.lines;
      const where = `${file}:${line}`;
      if (out.length >= limits.maxHosts) throw new AppError('VIGIL_ERR_LIMIT', `${where}: more than maxHosts (${limits.maxHosts}) hosts`);
      const b = new ObservationBuilder(limits, 'csv');
      for (const [col, cell] of Object.entries(rec)) {
        const kind = COLUMNS[col];
        if (kind === undefined || cell === '') continue;
        const values = LIST_KINDS.has(kind) ? cell.split(/[;\s]+/).filter((v) => v !== '') : [cell];
        for (const v of values) b.add(kind, kind === 'service' && /^\d+$/.test(v) ? `tcp/${v}` : v, where);
        if (kind === 'os') b.add('cpe', windowsCpe(cell), where, { from: 'os' });
      }
      const obs = b.build(now, file);
      if (!obs) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: the row names no host (an address, hostname or mac column)`);
      out.push(obs);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const lines = (e as { lines?: unknown }).lines;
    throw new AppError('VIGIL_ERR_BAD_FILE', `${file}${typeof lines === 'number' ? `:${lines}` : ''}: not a well-formed CSV inventory: ${(e as Error).message}`);
  } finally {
    source.destroy();
  }
  return out;
}

/** csv-parse's `columns` callback: lower-case the header and insist it names a host column. */
function headerOf(file: string): (header: string[]) => string[] {
  return (header) => {
    const cols = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, '_'));
    if (!cols.some((c) => COLUMNS[c] === 'address' || COLUMNS[c] === 'name' || COLUMNS[c] === 'mac')) {
      throw new AppError('VIGIL_ERR_BAD_FILE', `${file}:1: the header names no host column (address, ip, hostname or mac; got ${cols.join(', ').slice(0, 200)})`);
    }
    return cols;
  };
}
