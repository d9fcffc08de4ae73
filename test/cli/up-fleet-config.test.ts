// `vigil up --role sensor|hub` refuses bad fleet configuration with one clear line (exit 2), before
// it binds a port or reaches a broker: a sensor name that is not one subject token, a PostgreSQL
// backend without a URL, an unknown role.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { after, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetHub, startFleetSensor } from '../../src/cli/fleet-node.js';
import { isAppError } from '../../src/core/errors.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from './up-helpers.js';

const silent = pino({ level: 'silent' });
const dirs: string[] = [];
const dataDir = (): string => {
  const d = tempDir('fleet-cfg');
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

it('refuses a sensor name that is not one NATS subject token', async () => {
  const config = loadConfig({ env: {}, flags: { dataDir: dataDir(), fleet: { role: 'sensor', sensorName: 'dmz.east' } } });
  await assert.rejects(startFleetSensor(config, { logger: silent }), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /fleet.sensorName/.test(e.message));
});

it('refuses store.backend postgres without store.url, naming the key', async () => {
  const config = loadConfig({ env: {}, flags: { dataDir: dataDir(), store: { backend: 'postgres' }, fleet: { role: 'hub' } } });
  await assert.rejects(startFleetHub(config, { logger: silent }), (e) => isAppError(e, 'VIGIL_ERR_CONFIG') && /store\.url/.test(e.message));
});

it('exits 2 on an unknown role, naming the flag and the choices', () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'up', '--role', 'relay', '--data-dir', dataDir()], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--role/);
  assert.match(r.stderr, /single, sensor, hub|single \| sensor \| hub|sensor/);
});
