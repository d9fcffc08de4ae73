// `vigil token`: print the API bearer token (creating it on first use) or replace it with --rotate.
// The token alone goes to stdout so `TOKEN=$(vigil token)` works; notes go to stderr.

import type { Command } from 'commander';
import { ensureToken, rotateToken } from '../../server/auth.js';
import { addConfigOptions, configFromOptions } from '../config-flags.js';

export function register(program: Command): void {
  const cmd = program
    .command('token')
    .description('print the HTTP API bearer token (created on first use), or rotate it')
    .option('--rotate', 'replace the token with a new one (the old one stops working; a running node picks the new one up within a second)')
    .option('--json', 'print {"token", "path", "created"} as JSON');
  addConfigOptions(cmd, ['dataDir']);
  cmd.addHelpText('after', '\nUse it as: curl -H "Authorization: Bearer $(vigil token)" http://127.0.0.1:8135/api/v1/sessions');
  cmd.action((opts: Record<string, unknown>) => {
    const config = configFromOptions(opts);
    const state = opts.rotate === true ? rotateToken(config.dataDir) : ensureToken(config.dataDir);
    if (opts.json === true) {
      process.stdout.write(`${JSON.stringify({ token: state.token, path: state.path, created: state.created })}\n`);
      return;
    }
    process.stdout.write(`${state.token}\n`);
    if (opts.rotate === true) process.stderr.write(`vigil: new token written to ${state.path}; the old one no longer works (a running node picks up the new one within a second)\n`);
    else if (state.created) process.stderr.write(`vigil: token created in ${state.path} (mode 0600)\n`);
  });
}
