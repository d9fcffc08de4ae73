// Child process for the fleet fault test: one fleet sensor listening on loopback only (an
// ephemeral port), publishing to the broker given; prints "port <n>" once it listens, and stops in
// order on SIGTERM. The parent SIGKILLs it for fault (c).
// argv: <nats url> <sensor name> <data dir>

import pino from 'pino';
import { loadConfig } from '../../src/cli/config.js';
import { startFleetSensor } from '../../src/cli/fleet-node.js';

const [url, name, dataDir] = process.argv.slice(2);
const config = loadConfig({ env: {}, flags: { dataDir, sensor: { ports: [4444] }, fleet: { role: 'sensor', url, sensorName: name }, log: { level: 'silent' } } });
const node = await startFleetSensor(config, { ephemeralPorts: true, sensorHosts: ['127.0.0.1'], logger: pino({ level: 'silent' }) });
process.stdout.write(`port ${node.sensor.portFor(4444)}\n`);
process.once('SIGTERM', () => {
  void node.stop().then(() => process.exit(0));
});
