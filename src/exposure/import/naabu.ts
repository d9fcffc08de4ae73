// naabu `-json` output: JSON lines {host, ip, port, protocol, tls, timestamp}; some releases write
// port as {Port, Protocol, TLS}. One record per open port, grouped per address.

import { AppError } from '../../core/errors.js';
import type { AssetObservation } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';
import { HostGroups, timeOf } from './host-groups.js';
import { parseJsonAt, textLines } from './text-lines.js';

export async function parseNaabu(chunks: AsyncIterable<string> | Iterable<string>, file: string, limits: ImportLimits, now: number): Promise<AssetObservation[]> {
  const groups = new HostGroups(limits, 'naabu');
  for await (const { line, no } of textLines(chunks, file, limits.maxLineBytes)) {
    if (line.trim() === '') continue;
    const where = `${file}:${no}`;
    const r = parseJsonAt(line, file, no);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: expected a JSON object`);
    const o = r as Record<string, unknown>;
    const ip = typeof o['ip'] === 'string' ? o['ip'] : undefined;
    const host = typeof o['host'] === 'string' ? o['host'] : undefined;
    const key = ip ?? host;
    if (key === undefined) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: neither "ip" nor "host"`);
    const p = o['port'];
    const portObj = p !== null && typeof p === 'object' ? (p as Record<string, unknown>) : undefined;
    const port = portObj ? portObj['Port'] : p;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: bad port ${JSON.stringify(port)}`);
    const proto = typeof o['protocol'] === 'string' ? o['protocol'] : 'tcp';
    const b = groups.host(key, where, timeOf(o['timestamp'], now));
    if (ip !== undefined) b.add('address', ip, where);
    // naabu's "host" is the name the user gave, or the address again.
    if (host !== undefined && host !== ip) b.add('name', host, where);
    b.add('service', `${proto}/${port}`, where, o['tls'] === true || portObj?.['TLS'] === true ? { tls: 'yes' } : undefined);
  }
  return groups.observations(file);
}
