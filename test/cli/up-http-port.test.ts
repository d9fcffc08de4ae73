// `vigil up` when the HTTP API cannot listen (issue 12): one line naming the key, variable and flag
// that move the API, exit 2 (configuration), no stack trace.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { skipWithoutBuild as skip, vigil } from '../helpers/cli.js';
import { freeOffset, tempDir } from './up-helpers.js';

test('HTTP port in use: names http.port / --http-port, exit 2, no stack trace', { skip }, async () => {
  const busy = createServer();
  busy.listen(0, '127.0.0.1');
  await once(busy, 'listening');
  const port = (busy.address() as { port: number }).port;
  try {
    const offset = await freeOffset([4444]);
    // spawnSync blocks this event loop, but the kernel still refuses the second bind on the port
    const r = vigil(['up', '--data-dir', tempDir('up-http-busy'), '--ports', '4444', '--port-offset', String(offset), '--http', `127.0.0.1:${port}`], { VIGIL_LOG_LEVEL: 'warn' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen for the HTTP API on 127\\.0\\.0\\.1 port ${port}: the port is already in use.*--http-port.*http\\.port`));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  } finally {
    busy.close();
  }
});
