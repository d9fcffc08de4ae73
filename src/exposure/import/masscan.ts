// masscan output: `-oJ` (a JSON array of {ip, timestamp, ports: [{port, proto, status, service?}]},
// one entry per port; older releases leave a comma before the closing bracket) and `-oL` (lines
// "open tcp 135 10.0.0.1 1584816181", "banner tcp 80 10.0.0.1 ts http ...", "#" comments).

import { AppError } from '../../core/errors.js';
import type { AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';
import { HostGroups, timeOf } from './host-groups.js';
import { lineColumnOf, textLines } from './text-lines.js';

export function parseMasscanJson(text: string, file: string, limits: ImportLimits, now: number): AssetObservation[] {
  // masscan 1.0 wrote "},\n]" at the end; drop that one comma, nothing else is forgiven.
  const body = text.replace(/,\s*\]\s*$/, '\n]');
  let doc: unknown;
  try {
    doc = JSON.parse(body) as unknown;
  } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const at = m ? lineColumnOf(body, Number(m[1])) : undefined;
    throw new AppError('VIGIL_ERR_BAD_FILE', `${file}${at ? `:${at.line}:${at.column}` : ''}: not valid masscan JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: masscan -oJ output is a JSON array`);
  const groups = new HostGroups(limits, 'masscan');
  doc.forEach((entry: unknown, i) => {
    const where = `${file}: entry ${i + 1}`;
    if (entry === null || typeof entry !== 'object') throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: expected an object`);
    const e = entry as Record<string, unknown>;
    if (e['finished'] !== undefined && e['ip'] === undefined) return; // masscan's closing status record
    if (typeof e['ip'] !== 'string') throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: no "ip"`);
    const b = groups.host(e['ip'], where, timeOf(e['timestamp'], now));
    b.add('address', e['ip'], where);
    const ports = e['ports'];
    if (!Array.isArray(ports)) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: no "ports" array`);
    for (const p of ports as unknown[]) {
      const po = (p ?? {}) as Record<string, unknown>;
      const port = po['port'];
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: bad port ${JSON.stringify(port)}`);
      if (po['status'] !== undefined && po['status'] !== 'open') continue;
      const svc = po['service'] as Record<string, unknown> | undefined;
      const detail: Record<string, string | number> = {};
      if (typeof svc?.['name'] === 'string') detail['name'] = svc['name'];
      if (typeof svc?.['banner'] === 'string') detail['banner'] = svc['banner'];
      b.add('service', `${typeof po['proto'] === 'string' ? po['proto'] : 'tcp'}/${port}`, where, detail);
    }
  });
  return groups.observations(file);
}

export async function parseMasscanList(chunks: AsyncIterable<string> | Iterable<string>, file: string, limits: ImportLimits, now: number): Promise<AssetObservation[]> {
  const groups = new HostGroups(limits, 'masscan');
  for await (const { line, no } of textLines(chunks, file, limits.maxLineBytes)) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const where = `${file}:${no}`;
    const f = t.split(/\s+/);
    const [state, proto, port, ip, ts] = f;
    if ((state !== 'open' && state !== 'banner') || proto === undefined || ip === undefined || !/^\d{1,5}$/.test(port ?? '') || Number(port) > 65535) {
      throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: not a masscan -oL line (expected "open tcp PORT ADDRESS TIME"): ${JSON.stringify(t.slice(0, 80))}`);
    }
    const b = groups.host(ip, where, timeOf(ts, now));
    b.add('address', ip, where);
    if (state === 'open') b.add('service', `${proto}/${Number(port)}`, where);
    else b.add('service', `${proto}/${Number(port)}`, where, { name: f[5] ?? '', banner: f.slice(6).join(' ') });
  }
  return groups.observations(file);
}
