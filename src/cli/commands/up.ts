// `vigil up`: run the node (sensors, store, API) in the foreground until SIGINT or SIGTERM, then
// stop cleanly: close the API, close every sensor session and flush it to the store, close the store.

import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';
import type { VigilConfig } from '../config.js';
import { startFleetHub, startFleetSensor } from '../fleet-node.js';
import { startNode } from '../node.js';

/** Start what fleet.role asks for and print where it listens; returns its stop. */
async function startRole(
  config: VigilConfig,
  onTokenCreated: (token: string, path: string) => void,
  onAdminCreated: (name: string, password: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const listening = (ls: readonly { host: string; port: number }[]): string => ls.map((l) => `${l.host}:${l.port}`).join(' ');
  if (config.fleet.role === 'sensor') {
    const node = await startFleetSensor(config, { onTokenCreated });
    process.stdout.write(`vigil: up as fleet sensor ${node.name}; hub ${config.fleet.url}, sensor ${listening(node.sensor.listeners)}, health and metrics http://${node.httpAddress}/\n`);
    return node;
  }
  if (config.fleet.role === 'hub') {
    const node = await startFleetHub(config, { onTokenCreated });
    process.stdout.write(`vigil: up as fleet hub; API http://${node.httpAddress}, broker ${config.fleet.url}, store ${config.store.backend}\n`);
    return node;
  }
  const node = await startNode(config, { onTokenCreated, onAdminCreated });
  process.stdout.write(`vigil: up; dashboard and API http://${node.httpAddress}/, sensor ${listening(node.sensor.listeners)}\n`);
  return node;
}

/** `--http HOST:PORT` (IPv6 as [::1]:8135) into the --http-host/--http-port option values. */
export function splitHttpAddress(value: string): { httpHost: string; httpPort: string } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (!m) throw new AppError('VIGIL_ERR_CONFIG', `--http: expected HOST:PORT (e.g. 127.0.0.1:8135 or [::1]:8135), got ${JSON.stringify(value)}`);
  return { httpHost: m[1], httpPort: m[2] };
}

export function register(program: Command): void {
  const cmd = program
    .command('up')
    .description('run the node: sensors on the configured ports, the store, and the HTTP API, until SIGINT/SIGTERM')
    .option('--http <host:port>', 'API address, shorthand for --http-host and --http-port (default 127.0.0.1:8135)');
  addConfigOptions(cmd);
  cmd.addHelpText('after', [
    '',
    'Ports below 1024 (135, 139, 445, 593) need root or CAP_NET_BIND_SERVICE; without it use',
    '--port-offset 10000 (135 -> 10135) or redirect the ports with iptables/nftables.',
    'The API token is created in the data directory on first start and printed once.',
    'Stop with Ctrl-C or SIGTERM: open sessions are closed and flushed to the store.',
    'Fleet: --role sensor --hub nats://HOST:4222 publishes to a hub over NATS JetStream;',
    '--role hub consumes every sensor into the store (--store postgres with store.url). docs/fleet.md.',
  ].join('\n'));
  cmd.action(async (raw: Record<string, unknown>) => {
    const opts = typeof raw.http === 'string' ? { ...raw, ...splitHttpAddress(raw.http) } : raw;
    const config = configFromOptions(opts);
    // Signal handlers go in before anything starts: a stop requested during start-up waits for the
    // start to finish and then stops cleanly, instead of killing the process half-way.
    let requested: NodeJS.Signals | undefined;
    let wake: (() => void) | undefined;
    const onSignal = (sig: NodeJS.Signals): void => {
      requested ??= sig;
      wake?.();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const onTokenCreated = (token: string, path: string): void => {
        process.stdout.write(`API token (shown once; stored in ${path} with mode 0600):\n${token}\n`);
      };
      const onAdminCreated = (name: string, password: string): void => {
        process.stdout.write(`Dashboard user "${name}" (admin) password (shown once; change it with \`vigil users passwd ${name}\`):\n${password}\n`);
      };
      const node = await startRole(config, onTokenCreated, onAdminCreated);
      if (requested === undefined) await new Promise<void>((resolve) => (wake = resolve));
      process.stdout.write(`vigil: ${requested ?? 'signal'}, stopping\n`);
      await node.stop();
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
