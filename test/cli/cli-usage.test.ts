// Exit codes and flag errors through the compiled CLI (issue 12): usage errors exit 2 as the README
// says (Commander's own say 1), help exits 0, and every flag error names the flag.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipWithoutBuild as skip, vigil } from '../helpers/cli.js';

test('usage errors exit 2, help exits 0', { skip }, () => {
  assert.equal(vigil(['alerts', '--no-such-flag']).code, 2);
  assert.equal(vigil(['no-such-command']).code, 2);
  assert.equal(vigil(['advisory', 'new', 'X-1']).code, 2, 'a missing required option');
  assert.equal(vigil(['kb', 'show']).code, 2, 'a missing argument');
  assert.equal(vigil(['alerts', '--help']).code, 0);
  assert.equal(vigil(['--version']).code, 0);
});

test('every flag error names the flag', { skip }, () => {
  const cases: [string[], RegExp][] = [
    [['simulate', '--preset', 'blaster', '--monitor', 'banana'], /^vigil: --monitor banana: not an IPv4 address: banana$/m],
    [['simulate', '--preset', 'blaster', '--scan-rate', '-3'], /^vigil: --scan-rate: must be a positive number, got "-3"$/m],
    [['simulate', '--preset', 'blaster', '--initial', '0'], /^vigil: --initial: must be a positive number, got "0"$/m],
    [['simulate', '--preset', 'blaster', '--filter-fraction', '2'], /^vigil: --filter-fraction: must be in \[0, 1\], got "2"$/m],
    [['simulate', '--preset', 'nimda'], /^vigil: --preset: unknown preset "nimda"/m],
    [['simulate', '--preset', 'blaster', '--sample', '-1'], /^vigil: --sample: must be a positive number of seconds, got "-1"$/m],
    [['kb', 'import', '--starter', '--batch', 'x'], /^vigil: --batch: expected an integer from 1 to 100000, got "x"$/m],
    [['up', '--http-port', 'banana'], /^vigil: --http-port \(http\.port\): expected an integer from 1 to 65535, got "banana"$/m],
    [['evaluate', 'early-warning', '--preset', 'codered', '--monitor', '10.0.0.0/33', '--runs', '1'], /^vigil: --monitor 10\.0\.0\.0\/33: /m],
  ];
  for (const [args, message] of cases) {
    const r = vigil(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
});
