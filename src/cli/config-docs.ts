// Renders the configuration key table (config-keys.ts) as the markdown table in
// docs/configuration.md; a test keeps the document and the table from drifting apart.

import { CONFIG_KEYS, type KeyType } from './config-keys.js';

function typeText(t: KeyType): string {
  switch (t.kind) {
    case 'string':
      return 'string';
    case 'enum':
      return t.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'int':
      return `integer ${t.min}..${t.max}`;
    case 'number':
      return `number ${t.min}..${t.max}`;
    case 'int-list':
      return `list of integers ${t.min}..${t.max}`;
    case 'string-list':
      return 'list of strings';
    case 'int-map':
      return 'mapping name -> integer';
    case 'webhook-list':
      return 'list of {name, url, secret}';
    case 'syslog-list':
      return 'list of {name, host, port, transport}';
    case 'taxii-user-list':
      return 'list of {name, token, read, write}';
    case 'taxii-push-list':
      return 'list of {name, url, token}';
    case 'taxii-poll-list':
      return 'list of {name, url, token, intervalSeconds}';
  }
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');

/** The markdown table of every key: YAML path, environment variable, flag, type, default, meaning. */
export function configurationTable(): string {
  const head = ['| key (YAML) | environment | flag | type | default | meaning |', '|---|---|---|---|---|---|'];
  const rows = CONFIG_KEYS.map((k) =>
    [
      `\`${k.path}\``,
      `\`${k.env}\``,
      k.flag ? `\`${k.flag.split(' ')[0]}\`` : '',
      typeText(k.type),
      `\`${JSON.stringify(k.default)}\``,
      cell(k.doc),
    ].join(' | '),
  ).map((r) => `| ${r} |`);
  return [...head, ...rows].join('\n');
}
