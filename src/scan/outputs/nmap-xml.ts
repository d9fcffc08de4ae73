// Scan results as nmap XML (`-oX`, nmap's docs/nmap.dtd, xmloutputversion 1.05): the elements that
// tools reading nmap output use (host, status, address, hostnames, ports/port/state/service, os/osmatch,
// hostscript/script, runstats), written host by host as results arrive.

import type { HostScanResult } from '../../model/scan.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 cannot carry most control characters: what a peer sent is shown, not passed through
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const secs = (ms: number): number => Math.floor(ms / 1000);

export function nmapXmlHeader(args: string, ports: readonly number[], startMs: number): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE nmaprun>',
    `<nmaprun scanner="vigil" args="${esc(args)}" start="${secs(startMs)}" startstr="${esc(new Date(startMs).toUTCString())}" version="0.1.0" xmloutputversion="1.05">`,
    `<scaninfo type="connect" protocol="tcp" numservices="${ports.length}" services="${ports.join(',')}"/>`,
    '<verbose level="0"/>',
    '<debugging level="0"/>',
    '',
  ].join('\n');
}

export function nmapXmlHost(r: HostScanResult, startMs: number): string {
  const family = r.address.includes(':') ? 'ipv6' : 'ipv4';
  const up = r.ports.some((p) => p.state !== 'filtered');
  const lines = [
    `<host starttime="${secs(startMs)}" endtime="${secs(r.scannedAt)}"><status state="${up ? 'up' : 'down'}" reason="${up ? 'conn-refused' : 'no-response'}" reason_ttl="0"/>`,
    `<address addr="${esc(r.address)}" addrtype="${family}"/>`,
    r.hostname ? `<hostnames><hostname name="${esc(r.hostname)}" type="user"/></hostnames>` : '<hostnames/>',
    '<ports>',
  ];
  for (const p of r.ports) {
    const reason = p.state === 'open' ? 'syn-ack' : p.state === 'closed' ? 'conn-refused' : 'no-response';
    const svc = p.service ? `<service name="${esc(p.service)}" method="table" conf="3"/>` : '';
    lines.push(`<port protocol="tcp" portid="${p.port}"><state state="${p.state}" reason="${reason}" reason_ttl="0"/>${svc}</port>`);
  }
  lines.push('</ports>');
  if (r.os) {
    const acc = Math.round(r.os.confidence * 100);
    lines.push(`<os><osmatch name="${esc(r.os.version ?? r.os.family)}" accuracy="${acc}" line="0"><osclass type="general purpose" vendor="Microsoft" osfamily="${esc(r.os.family)}" accuracy="${acc}">${r.os.cpe ? `<cpe>${esc(r.os.cpe)}</cpe>` : ''}</osclass></osmatch></os>`);
  }
  const scripts: string[] = [];
  if (r.endpoints?.length) {
    const out = r.endpoints.map((e) => `${e.uuid} v${e.version} ${e.binding}${e.annotation ? ` ${e.annotation}` : ''}`).join('\n');
    scripts.push(`<script id="msrpc-enum" output="${esc(out)}"/>`);
  }
  const smb = r.smb;
  if (smb) {
    // named and shaped as nmap's own scripts, so that tools reading nmap output find them
    const os = [
      smb.nativeOs ? `OS: ${smb.nativeOs}${smb.nativeLanMan ? ` (${smb.nativeLanMan})` : ''}` : undefined,
      smb.dnsComputer ? `Computer name: ${smb.dnsComputer}` : undefined,
      smb.netbiosComputer ? `NetBIOS computer name: ${smb.netbiosComputer}` : undefined,
      smb.netbiosDomain ? `Workgroup: ${smb.netbiosDomain}` : undefined,
      smb.dnsDomain ? `Domain name: ${smb.dnsDomain}` : undefined,
      smb.ntlmVersion ? `NTLMSSP version: ${smb.ntlmVersion}` : undefined,
      smb.serverTime ? `System time: ${smb.serverTime}` : undefined,
    ].filter((x): x is string => x !== undefined);
    // one line each, the newline as nmap writes it in an attribute
    if (os.length) scripts.push(`<script id="smb-os-discovery" output="${os.map(esc).join('&#xa;')}"/>`);
    scripts.push(`<script id="smb-protocols" output="${esc(`dialects: ${smb.dialects.join(', ')}`)}">${smb.dialects.map((d) => `<elem>${esc(d)}</elem>`).join('')}</script>`);
    const mode = smb.signing.required ? 'Message signing enabled and required' : smb.signing.enabled ? 'Message signing enabled but not required' : 'Message signing disabled';
    scripts.push(`<script id="smb-security-mode" output="${esc(mode)}"/>`);
  }
  for (const c of r.checks ?? []) {
    const state = c.verdict === 'vulnerable' ? 'VULNERABLE' : c.verdict === 'patched' ? 'NOT VULNERABLE' : 'UNKNOWN';
    scripts.push(`<script id="${esc(c.check)}" output="${esc(`${c.cve}: ${state}; ${c.reason}`)}"><elem key="state">${state}</elem><elem key="cve">${esc(c.cve)}</elem>${c.transport ? `<elem key="transport">${esc(c.transport)}</elem>` : ''}${c.evidenceHex ? `<elem key="evidence">${esc(c.evidenceHex)}</elem>` : ''}</script>`);
  }
  if (scripts.length) lines.push(`<hostscript>${scripts.join('')}</hostscript>`);
  lines.push('</host>', '');
  return lines.join('\n');
}

export function nmapXmlFooter(summary: { hostsUp: number; hostsTotal: number; elapsedMs: number }, endMs: number): string {
  return [
    `<runstats><finished time="${secs(endMs)}" timestr="${esc(new Date(endMs).toUTCString())}" elapsed="${(summary.elapsedMs / 1000).toFixed(2)}" exit="success"/>`,
    `<hosts up="${summary.hostsUp}" down="${summary.hostsTotal - summary.hostsUp}" total="${summary.hostsTotal}"/>`,
    '</runstats>',
    '</nmaprun>',
    '',
  ].join('\n');
}
