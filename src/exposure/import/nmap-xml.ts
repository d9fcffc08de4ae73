// nmap XML output (`nmap -sV -O -oX`, DTD nmap.dtd: host/address, hostnames, ports/port/service/cpe,
// os/osmatch/osclass/cpe) -> one AssetObservation per host that was up. Streamed through saxes
// (strict, no DTD or external-entity processing); depth, hosts, facts and text are bounded.

import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { AppError } from '../../core/errors.js';
import type { AssetObservation } from '../asset-observation.js';
import { ObservationBuilder } from '../asset-observation.js';
import type { ImportLimits } from '../exposure-limits.js';

interface HostState {
  b: ObservationBuilder;
  up: boolean;
  start?: number;
  /** Where text of a <cpe> goes: the service's detail or the best OS match. */
  cpeTarget?: 'service' | 'os';
  port?: { proto: string; id: string; open: boolean; detail: Record<string, string | number> };
  osBest?: { name: string; accuracy: number; cpes: string[] };
  inOsMatch?: { name: string; accuracy: number; cpes: string[] };
}

/** Parse an nmap XML document given as text chunks; `file` names it in errors (file:line:column). */
export async function parseNmapXml(chunks: AsyncIterable<string> | Iterable<string>, file: string, limits: ImportLimits, now: number): Promise<AssetObservation[]> {
  const parser = new SaxesParser<{ xmlns: false; fileName: string; position: true }>({ xmlns: false, fileName: file, position: true });
  const out: AssetObservation[] = [];
  const stack: string[] = [];
  let runStart: number | undefined;
  let host: HostState | undefined;
  let text = '';
  let sawRoot = false;
  const where = (): string => `${file}:${parser.line}:${parser.column}`;

  parser.on('opentag', (tag: SaxesTagPlain) => {
    stack.push(tag.name);
    if (stack.length > limits.maxXmlDepth) throw new AppError('VIGIL_ERR_LIMIT', `${where()}: XML nested deeper than maxXmlDepth (${limits.maxXmlDepth})`);
    const a = tag.attributes as Record<string, string>;
    text = '';
    if (stack.length === 1) {
      if (tag.name !== 'nmaprun') throw new AppError('VIGIL_ERR_BAD_FILE', `${where()}: not nmap XML (root element <${tag.name}>, expected <nmaprun>)`);
      sawRoot = true;
      runStart = epochSeconds(a['start']);
      return;
    }
    if (tag.name === 'host' && stack.length === 2) {
      if (out.length >= limits.maxHosts) throw new AppError('VIGIL_ERR_LIMIT', `${where()}: more than maxHosts (${limits.maxHosts}) hosts`);
      const start = epochSeconds(a['endtime']) ?? epochSeconds(a['starttime']);
      host = { b: new ObservationBuilder(limits, 'nmap'), up: true, ...(start !== undefined ? { start } : {}) };
      return;
    }
    if (host) openInHost(host, tag.name, a, where());
  });

  parser.on('text', (t: string) => {
    if (host?.cpeTarget === undefined) return;
    if (text.length + t.length > limits.maxValueLength) throw new AppError('VIGIL_ERR_LIMIT', `${where()}: text longer than maxValueLength (${limits.maxValueLength})`);
    text += t;
  });

  parser.on('closetag', (tag: SaxesTagPlain) => {
    stack.pop();
    if (!host) return;
    if (tag.name === 'host' && stack.length === 1) {
      const h = host;
      host = undefined;
      if (!h.up) return;
      if (h.osBest) {
        h.b.add('os', h.osBest.name, where(), { accuracy: h.osBest.accuracy });
        for (const c of h.osBest.cpes) h.b.add('cpe', c, where(), { from: 'os' });
      }
      const obs = h.b.build((h.start ?? runStart ?? now / 1000) * 1000, file);
      if (obs) out.push(obs);
      return;
    }
    closeInHost(host, tag.name, text.trim(), where());
  });

  try {
    for await (const chunk of chunks) parser.write(chunk);
    parser.close();
  } catch (e) {
    if (e instanceof AppError) throw e;
    // saxes' messages already start with file:line:column.
    throw new AppError('VIGIL_ERR_BAD_FILE', `not well-formed XML: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (!sawRoot) throw new AppError('VIGIL_ERR_BAD_FILE', `${file}: no <nmaprun> element`);
  return out;
}

function openInHost(h: HostState, name: string, a: Record<string, string>, where: string): void {
  switch (name) {
    case 'status':
      h.up = a['state'] === undefined || a['state'] === 'up';
      return;
    case 'address': {
      const type = a['addrtype'] ?? 'ipv4';
      if (type === 'mac') h.b.add('mac', a['addr'], where, a['vendor'] ? { vendor: a['vendor'] } : undefined);
      else h.b.add('address', a['addr'], where);
      return;
    }
    case 'hostname':
      h.b.add('name', a['name'], where, a['type'] ? { type: a['type'] } : undefined);
      return;
    case 'ports':
      // -oX lists every port it reports on: what it does not list as open is not open now.
      h.b.completeKind('service');
      return;
    case 'port':
      h.port = { proto: a['protocol'] ?? 'tcp', id: a['portid'] ?? '', open: false, detail: {} };
      if (!/^\d{1,5}$/.test(h.port.id) || Number(h.port.id) > 65535) throw new AppError('VIGIL_ERR_BAD_FILE', `${where}: bad portid ${JSON.stringify(a['portid'])}`);
      return;
    case 'state':
      if (h.port) h.port.open = a['state'] === 'open';
      return;
    case 'service':
      if (h.port) {
        for (const k of ['name', 'product', 'version', 'extrainfo', 'ostype', 'tunnel', 'method'] as const) if (a[k]) h.port.detail[k] = a[k];
        if (a['conf']) h.port.detail['conf'] = Number(a['conf']);
      }
      return;
    case 'osmatch':
      h.inOsMatch = { name: a['name'] ?? '', accuracy: Number(a['accuracy'] ?? 0) || 0, cpes: [] };
      return;
    case 'cpe':
      h.cpeTarget = h.inOsMatch ? 'os' : h.port ? 'service' : undefined;
      return;
    default:
      return;
  }
}

function closeInHost(h: HostState, name: string, text: string, where: string): void {
  switch (name) {
    case 'cpe':
      if (h.cpeTarget === 'os' && h.inOsMatch) h.inOsMatch.cpes.push(text);
      else if (h.cpeTarget === 'service') h.b.add('cpe', text, where, { from: 'service' });
      h.cpeTarget = undefined;
      return;
    case 'port':
      if (h.port?.open) h.b.add('service', `${h.port.proto}/${Number(h.port.id)}`, where, h.port.detail);
      h.port = undefined;
      return;
    case 'osmatch':
      // nmap lists matches best first; keep the most accurate one.
      if (h.inOsMatch && h.inOsMatch.name !== '' && (!h.osBest || h.inOsMatch.accuracy > h.osBest.accuracy)) h.osBest = h.inOsMatch;
      h.inOsMatch = undefined;
      return;
    default:
      return;
  }
}

function epochSeconds(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,12}$/.test(s)) return undefined;
  return Number(s);
}
