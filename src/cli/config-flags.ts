// Command-line flags for the configuration keys that have one (--config, --data-dir, --http-port,
// ...), shared by every command that reads the configuration, so flags mean the same everywhere.

import type { Command } from 'commander';
import { CONFIG_KEYS } from './config-keys.js';
import { loadConfig, parseKeyText, type VigilConfig } from './config.js';

/** The option value (set by addConfigOptions) naming the configuration keys a command took flags
 * for: a command's own option of the same name (`vigil users add --role`, `vigil replay --store`)
 * is then never read as a configuration flag. */
const CONFIG_FLAG_PATHS = 'vigilConfigFlagPaths';

/** Add --config and the given keys' flags (all keys with a flag by default) to a command. */
export function addConfigOptions(cmd: Command, paths?: readonly string[]): Command {
  cmd.option('-c, --config <file>', 'YAML configuration file (default ./vigil.yaml if present; env VIGIL_CONFIG)');
  const registered: string[] = [];
  for (const key of CONFIG_KEYS) {
    if (key.flag === undefined || (paths !== undefined && !paths.includes(key.path))) continue;
    cmd.option(key.flag, `${key.doc.split('. ')[0]} (env ${key.env}; config ${key.path})`);
    registered.push(key.path);
  }
  cmd.setOptionValue(CONFIG_FLAG_PATHS, registered);
  return cmd;
}

/** Commander's option name for a flag: `--data-dir <dir>` -> `dataDir`. */
function optionName(flag: string): string {
  const long = flag.split(/\s+/)[0].replace(/^--/, '');
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Nested flag values (only those given) from a command's parsed options. */
export function flagsFromOptions(opts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const registered = opts[CONFIG_FLAG_PATHS] as readonly string[] | undefined;
  for (const key of CONFIG_KEYS) {
    if (key.flag === undefined || (registered !== undefined && !registered.includes(key.path))) continue;
    const raw = opts[optionName(key.flag)];
    if (typeof raw !== 'string') continue;
    const value = parseKeyText(key, raw, `flag ${key.flag.split(' ')[0]}`);
    const parts = key.path.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = value;
  }
  return out;
}

/** The configuration for a command: its --config file, the environment, and its flags. */
export function configFromOptions(opts: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>> = process.env): VigilConfig {
  const file = typeof opts.config === 'string' ? opts.config : undefined;
  return loadConfig({ file, env, flags: flagsFromOptions(opts) });
}
