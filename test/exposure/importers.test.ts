// Inventory importers: every format into the one asset model, the format told from the content,
// and hostile or broken files refused with path and position, leaving nothing imported.

import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assetView } from '../../src/exposure/asset-merge.js';
import { IMPORT_LIMITS } from '../../src/exposure/exposure-limits.js';
import { importFile, sniffFormat } from '../../src/exposure/import/import-file.js';
import { resolveLimits } from '../../src/core/limits.js';
import { openFixture } from './exposure-fixture.js';

const LIMITS = resolveLimits(IMPORT_LIMITS);
const NOW = Date.parse('2026-12-01T00:00:00Z');

const NMAP = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<nmaprun scanner="nmap" args="nmap -sV -O -oX - 10.1.2.3" start="1764547200" version="7.94">
<host starttime="1764547200" endtime="1764547230"><status state="up" reason="arp-response"/>
<address addr="10.1.2.3" addrtype="ipv4"/><address addr="00:0C:29:AA:BB:CC" addrtype="mac" vendor="VMware"/>
<hostnames><hostname name="filesrv01.corp.example" type="PTR"/></hostnames>
<ports><extraports state="closed" count="996"/>
<port protocol="tcp" portid="135"><state state="open" reason="syn-ack"/><service name="msrpc" product="Microsoft Windows RPC" ostype="Windows" method="probed" conf="10"><cpe>cpe:/o:microsoft:windows</cpe></service></port>
<port protocol="tcp" portid="139"><state state="open" reason="syn-ack"/><service name="netbios-ssn" method="probed" conf="10"/></port>
<port protocol="tcp" portid="80"><state state="filtered" reason="no-response"/></port>
</ports>
<os><osmatch name="Microsoft Windows XP SP2 or SP3" accuracy="96" line="1"><osclass type="general purpose" vendor="Microsoft" osfamily="Windows" osgen="XP" accuracy="96"><cpe>cpe:/o:microsoft:windows_xp::sp2</cpe><cpe>cpe:/o:microsoft:windows_xp::sp3</cpe></osclass></osmatch>
<osmatch name="Microsoft Windows 2000 SP4" accuracy="90" line="2"><osclass vendor="Microsoft" osfamily="Windows" osgen="2000" accuracy="90"><cpe>cpe:/o:microsoft:windows_2000::sp4</cpe></osclass></osmatch></os>
</host>
<host><status state="down" reason="no-response"/><address addr="10.1.2.4" addrtype="ipv4"/></host>
<runstats><finished time="1764547260"/><hosts up="1" down="1" total="2"/></runstats>
</nmaprun>
`;

test('nmap XML: addresses, MAC, names, open services with product, the best OS match and its CPEs; down hosts skipped', async () => {
  const fx = await openFixture();
  try {
    const file = join(fx.dir, 'scan.xml');
    writeFileSync(file, NMAP);
    const r = await importFile(file, LIMITS, { now: NOW });
    assert.equal(r.format, 'nmap');
    assert.equal(r.observations.length, 1);
    const s = await fx.service.importFiles([{ path: file }]);
    assert.equal(s.assetsCreated, 1);
    const a = (await fx.store.listAssets()).items[0]!;
    const v = assetView(a);
    assert.deepEqual(v.addresses, ['10.1.2.3']);
    assert.deepEqual(v.macs, ['00:0c:29:aa:bb:cc']);
    assert.deepEqual(v.names, ['filesrv01.corp.example']);
    assert.deepEqual(v.services, ['tcp/135', 'tcp/139']);
    assert.equal(v.os, 'Microsoft Windows XP SP2 or SP3');
    assert.deepEqual(v.cpes, ['cpe:/o:microsoft:windows', 'cpe:/o:microsoft:windows_xp::sp2', 'cpe:/o:microsoft:windows_xp::sp3']);
    const svc = a.facts.find((f) => f.value === 'tcp/135')!;
    assert.equal(svc.source, 'nmap');
    assert.equal(svc.origin, file);
    assert.equal(svc.detail?.['product'], 'Microsoft Windows RPC');
    assert.equal(svc.lastSeen, 1764547230_000);
    // Windows XP from nmap's OS match: the knowledge base's MS03-026 applies
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).items[0]?.status, 'open');
  } finally {
    await fx.close();
  }
});

test('masscan -oJ (with the old trailing comma) and -oL, naabu JSON lines, CSV and osqueryi arrays', async () => {
  const fx = await openFixture();
  try {
    const w = (name: string, text: string): string => {
      const p = join(fx.dir, name);
      writeFileSync(p, text);
      return p;
    };
    const mj = w('m.json', '[\n{   "ip": "10.0.0.1",   "timestamp": "1764547200", "ports": [ {"port": 135, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 128} ] },\n{   "ip": "10.0.0.1",   "timestamp": "1764547201", "ports": [ {"port": 445, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 128} ] },\n]\n');
    const ml = w('m.txt', '#masscan\nopen tcp 135 10.0.0.2 1764547200\nopen tcp 593 10.0.0.2 1764547200\nbanner tcp 80 10.0.0.2 1764547201 http HTTP/1.0 200 OK\n# end\n');
    const nb = w('n.jsonl', '{"host":"ws7.corp.example","ip":"10.0.0.3","port":135,"protocol":"tcp","tls":false,"timestamp":"2026-12-01T00:00:00Z"}\n{"ip":"10.0.0.3","port":{"Port":445,"Protocol":0,"TLS":false}}\n');
    const csv = w('inv.csv', '\uFEFFIP,Hostname,MAC,OS,Owner,Tags,Ports\n10.0.0.4,dc01,00-11-22-33-44-55,Windows Server 2003,alice,prod;dmz,135;445\n10.0.0.1,,,,bob,,\n');
    const oq = w('oq.json', '[\n  {"hotfix_id":"KB823980","description":"Security Update","installed_on":"7/20/2003","csname":"DC01"}\n]\n');
    assert.deepEqual([mj, ml, nb, csv].map((p) => sniffFormat(head(p), p)), ['masscan-json', 'masscan-list', 'naabu', 'csv']);
    const s = await fx.service.importFiles([{ path: mj }, { path: ml }, { path: nb }, { path: csv }, { path: oq, format: 'osquery' }]);
    assert.deepEqual(s.files.map((f) => [f.format, f.hosts]), [['masscan-json', 1], ['masscan-list', 1], ['naabu', 1], ['csv', 2], ['osquery', 1]]);
    const view = async (m: string) => assetView((await fx.store.listAssets({ match: m })).items[0]!);
    assert.deepEqual((await view('10.0.0.1')).services, ['tcp/135', 'tcp/445']);
    assert.equal((await view('10.0.0.1')).owner, 'bob'); // CSV row merged into the masscan host by address
    assert.deepEqual((await view('10.0.0.2')).services, ['tcp/80', 'tcp/593', 'tcp/135'].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })));
    assert.deepEqual((await view('10.0.0.3')).names, ['ws7.corp.example']);
    const dc = await view('dc01');
    assert.deepEqual(dc.macs, ['00:11:22:33:44:55']);
    assert.deepEqual(dc.tags, ['dmz', 'prod']);
    assert.equal(dc.owner, 'alice');
    assert.deepEqual(dc.cpes, ['cpe:2.3:o:microsoft:windows_server_2003:*:*:*:*:*:*:*:*']);
    // osqueryi rows named their host by csname only: merged into the CSV's dc01 by name
    assert.equal((await fx.store.listAssets({ match: 'dc01' })).total, 1);
    assert.deepEqual(dc.hotfixes, ['KB823980']);
    assert.equal((await fx.store.listAssets({ owner: 'alice' })).total, 1);
    assert.equal((await fx.store.listAssets({ tag: 'dmz' })).total, 1);
    // Server 2003 with KB823980: no MS03-026 finding; MS03-039's (fixed by KB824146) open, owned by alice
    assert.equal((await fx.store.listFindings({ vulnId: 'CVE-2003-0352' })).total, 0);
    const f = (await fx.store.listFindings({ vulnId: 'CVE-2003-0528' })).items;
    assert.deepEqual(f.map((x) => [x.owner, x.status]), [['alice', 'open']]);

    // the inventory's owner changes: findings follow, unless a person assigned them
    const assigned = (await fx.store.listFindings({ vulnId: 'CVE-2003-0715' })).items[0]!;
    await fx.service.updateFinding(assigned.id, { owner: 'security-team', by: 'lead' });
    fx.clock.advance(1000);
    await fx.service.importFiles([{ path: w('inv2.csv', 'ip,owner\n10.0.0.4,frank\n') }]);
    assert.equal((await fx.store.getFinding(f[0]!.id))!.owner, 'frank');
    assert.equal((await fx.store.getFinding(assigned.id))!.owner, 'security-team');
  } finally {
    await fx.close();
  }
});

/** sniffFormat looks at the first 4 KiB only. */
function head(p: string): string {
  return readFileSync(p, 'utf8').slice(0, 4096);
}

/** name, content, expected message. */
const BAD: readonly [string, string, RegExp, string?][] = [
  ['truncated.xml', NMAP.slice(0, 900), /truncated\.xml:\d+:\d+: .*not well-formed|truncated\.xml:\d+:\d+/],
  ['laughs.xml', '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<nmaprun><host><address addr="&lol2;"/></host></nmaprun>\n', /laughs\.xml:3:\d+: .*undefined entity|laughs\.xml:3/],
  ['deep.xml', `<nmaprun>${'<a>'.repeat(100)}${'</a>'.repeat(100)}</nmaprun>`, /deep\.xml:1:\d+: XML nested deeper than maxXmlDepth \(64\)/],
  ['notnmap.xml', '<?xml version="1.0"?><svg></svg>', /notnmap\.xml:1:\d+: not nmap XML \(root element <svg>/],
  ['badaddr.xml', '<nmaprun><host><address addr="10.1.2.300" addrtype="ipv4"/></host></nmaprun>', /badaddr\.xml:1:\d+: not a valid address: "10\.1\.2\.300"/],
  ['bad.txt', '#masscan\nopen tcp 135 10.0.0.2 1764547200\nopen tcp 99999 10.0.0.2 1\n', /bad\.txt:3: not a masscan -oL line/, 'masscan-list'],
  ['bad.jsonl', '{"ip":"10.0.0.3","port":135}\n{"ip":"10.0.0.3","port":\n', /bad\.jsonl:2: not valid JSON/, 'naabu'],
  ['bad.json', '[\n{"ip": "10.0.0.1", "ports": [ {"port": 135} ] }\n{"ip": "10.0.0.2"}\n]', /bad\.json:3:1: not valid masscan JSON/, 'masscan-json'],
  ['nohost.csv', 'owner,tags\nalice,prod\n', /nohost\.csv:1: the header names no host column/, 'csv'],
  ['ragged.csv', 'ip,owner\n10.0.0.9,alice\n10.0.0.10,bob,extra\n', /ragged\.csv:3: not a well-formed CSV inventory/, 'csv'],
  ['osq.json', '[{"hotfix_id":"KB823980"}]', /osq\.json: the row names no host/, 'osquery'],
  ['binary.bin', '\u0000\u0001garbage', /binary\.bin: cannot tell the format/],
];

test('bad files are refused with path and position; an import with one bad file stores nothing', async () => {
  const fx = await openFixture();
  try {
    const good = join(fx.dir, 'good.xml');
    writeFileSync(good, NMAP);
    for (const [name, content, re, format] of BAD) {
      const p = join(fx.dir, name);
      writeFileSync(p, content);
      await assert.rejects(fx.service.importFiles([{ path: good }, { path: p, ...(format ? { format: format as never } : {}) }]), (e: Error) => {
        assert.match(e.message, re, `${name}: ${e.message}`);
        return true;
      });
    }
    assert.equal((await fx.store.listAssets()).total, 0, 'the good file of each refused import left nothing');
    assert.equal((await fx.store.listFindings()).total, 0);
  } finally {
    await fx.close();
  }
});

test('limits: file size, hosts per file, facts per host, value length', async () => {
  const fx = await openFixture();
  try {
    const p = join(fx.dir, 'many.txt');
    writeFileSync(p, Array.from({ length: 20 }, (_, i) => `open tcp ${1000 + i} 10.9.0.${i % 5} 1764547200`).join('\n'));
    const small = { ...LIMITS, maxHosts: 4 };
    await assert.rejects(importFile(p, small, { now: NOW }), /many\.txt:5: more than maxHosts \(4\) hosts/);
    const one = join(fx.dir, 'one.txt');
    writeFileSync(one, Array.from({ length: 20 }, (_, i) => `open tcp ${1000 + i} 10.9.0.1 1764547200`).join('\n'));
    await assert.rejects(importFile(one, { ...LIMITS, maxFactsPerHost: 16 }, { now: NOW }), /one\.txt:16: host has more than maxFactsPerHost \(16\) facts/);
    await assert.rejects(importFile(p, { ...LIMITS, maxFileBytes: 100 }, { now: NOW }), /many\.txt: \d+ bytes exceeds maxFileBytes \(100\)/);
    const mj = join(fx.dir, 'big.json');
    writeFileSync(mj, `[${'{"ip":"10.0.0.1","ports":[{"port":135}]},'.repeat(100)}{"finished":1}]`);
    await assert.rejects(importFile(mj, { ...LIMITS, maxJsonDocumentBytes: 1024 }, { now: NOW }), /big\.json: \d+ bytes of masscan-json JSON exceeds maxJsonDocumentBytes \(1024\)/);
    const long = join(fx.dir, 'long.csv');
    writeFileSync(long, `ip,hostname\n10.0.0.1,${'a'.repeat(2000)}\n`);
    await assert.rejects(importFile(long, LIMITS, { now: NOW }), /long\.csv:2: name value of 2000 characters exceeds maxValueLength \(1024\)/);
  } finally {
    await fx.close();
  }
});

test('osqueryi arrays name their host with --host; programs, interfaces and system_info become facts', async () => {
  const fx = await openFixture();
  try {
    const p = join(fx.dir, 'programs.json');
    writeFileSync(p, JSON.stringify([
      { name: 'Mozilla Firefox', version: '3.6.28', publisher: 'Mozilla', install_location: 'C:\\\\Program Files\\\\Mozilla Firefox' },
      { name: 'WinZip', version: '8.1', publisher: 'WinZip Computing', install_location: '' },
    ]));
    const r = await importFile(p, LIMITS, { now: NOW, format: 'osquery', host: '10.7.0.9' });
    assert.equal(r.observations.length, 1);
    await assert.rejects(importFile(p, LIMITS, { now: NOW, format: 'osquery' }), /the row names no host \(osqueryi output: pass --host NAME\)/);
    const log = join(fx.dir, 'results.log');
    const ev = (name: string, columns: object) => JSON.stringify({ name, hostIdentifier: 'lab-7', unixTime: NOW / 1000, action: 'added', columns });
    writeFileSync(log, [
      ev('ifaces', { interface: 'eth0', address: '10.7.0.10' }),
      ev('ifaces', { interface: 'lo', address: '127.0.0.1' }),
      ev('macs', { interface: 'eth0', mac: '52:54:00:12:34:56' }),
      ev('sys', { hostname: 'lab-7.corp.example', computer_name: 'LAB-7' }),
      JSON.stringify({ name: 'ifaces', hostIdentifier: 'lab-7', action: 'removed', columns: { interface: 'eth1', address: '10.7.0.99' } }),
    ].join('\n'));
    await fx.service.importFiles([{ path: p, format: 'osquery', host: '10.7.0.9' }, { path: log }]);
    const a = assetView((await fx.store.listAssets({ match: '10.7.0.9' })).items[0]!);
    assert.deepEqual(a.programs, ['Mozilla Firefox 3.6.28', 'WinZip 8.1']);
    const b = assetView((await fx.store.listAssets({ match: '10.7.0.10' })).items[0]!);
    assert.deepEqual(b.addresses, ['10.7.0.10']); // loopback skipped, the removed row not added
    assert.deepEqual(b.macs, ['52:54:00:12:34:56']);
    assert.deepEqual(b.names, ['lab-7', 'lab-7.corp.example']);
  } finally {
    await fx.close();
  }
});
