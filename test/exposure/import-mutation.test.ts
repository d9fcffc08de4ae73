// Seeded mutations of every import format: each mutated file is either imported or refused with a
// coded error (VIGIL_ERR_BAD_FILE / VIGIL_ERR_LIMIT) naming the file; nothing else escapes, and
// imported + refused = total.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isAppError } from '../../src/core/errors.js';
import { resolveLimits } from '../../src/core/limits.js';
import { IMPORT_LIMITS } from '../../src/exposure/exposure-limits.js';
import { importFile, type ImportFormat } from '../../src/exposure/import/import-file.js';
import { mulberry32 } from '../helpers/prng.js';

const LIMITS = resolveLimits(IMPORT_LIMITS, { maxXmlDepth: 16 });

const SAMPLES: Record<ImportFormat, string> = {
  nmap: '<?xml version="1.0"?>\n<nmaprun start="1764547200"><host><status state="up"/><address addr="10.1.2.3" addrtype="ipv4"/><address addr="00:0C:29:AA:BB:CC" addrtype="mac"/><hostnames><hostname name="a.example" type="PTR"/></hostnames><ports><port protocol="tcp" portid="135"><state state="open"/><service name="msrpc" product="Microsoft Windows RPC"><cpe>cpe:/o:microsoft:windows</cpe></service></port></ports><os><osmatch name="Microsoft Windows XP SP2" accuracy="96"><osclass><cpe>cpe:/o:microsoft:windows_xp::sp2</cpe></osclass></osmatch></os></host></nmaprun>\n',
  'masscan-json': '[\n{"ip": "10.0.0.1", "timestamp": "1764547200", "ports": [ {"port": 135, "proto": "tcp", "status": "open"} ] },\n{"finished": 1}\n]\n',
  'masscan-list': '#masscan\nopen tcp 135 10.0.0.2 1764547200\nbanner tcp 80 10.0.0.2 1764547201 http HTTP/1.0 200 OK\n# end\n',
  naabu: '{"host":"a.example","ip":"10.0.0.3","port":135,"protocol":"tcp","tls":false}\n{"ip":"10.0.0.3","port":{"Port":445}}\n',
  osquery: `${JSON.stringify({ name: 'p', hostIdentifier: 'ws05', unixTime: 1764547200, snapshot: [{ hotfix_id: 'KB823980' }, { name: 'Microsoft Windows XP', version: '5.1.2600', major: '5', build: '2600', platform: 'windows' }] })}\n`,
  csv: 'ip,hostname,mac,os,owner,tags,ports\n10.0.0.4,dc01,00-11-22-33-44-55,Windows Server 2003,alice,prod;dmz,135;445\n',
};

function mutate(text: string, rnd: () => number): string {
  const b = Buffer.from(text);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    const op = rnd();
    if (op < 0.5) b[at] = Math.floor(rnd() * 256);
    else if (op < 0.75) b[at] = '<>"&,;:{}[]\n'.charCodeAt(Math.floor(rnd() * 12));
    else return b.subarray(0, at).toString('latin1') === '' ? '' : Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * 8))]).toString('utf8');
  }
  return b.toString('utf8');
}

test('mutated inventory files are imported or refused with a coded error, never anything else', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mutation-'));
  try {
    const rnd = mulberry32(0x13);
    for (const [format, sample] of Object.entries(SAMPLES) as [ImportFormat, string][]) {
      let imported = 0;
      let refused = 0;
      const total = 150;
      for (let i = 0; i < total; i++) {
        const file = join(dir, `${format}-${i}`);
        writeFileSync(file, mutate(sample, rnd));
        try {
          await importFile(file, LIMITS, { now: 0, format });
          imported++;
        } catch (e) {
          assert.ok(isAppError(e, 'VIGIL_ERR_BAD_FILE') || isAppError(e, 'VIGIL_ERR_LIMIT'), `${format} #${i}: ${(e as Error).stack}`);
          assert.ok((e as Error).message.includes(file), `${format} #${i}: the message names the file: ${(e as Error).message}`);
          refused++;
        }
      }
      assert.equal(imported + refused, total);
      assert.ok(refused > 0, `${format}: some mutations are refused`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
