// Sensor under attack (issue 10): a running node (sensor, SQLite store, detectors) attacked by each
// hostile peer of the hostile-peer suite, in a child process, while an honest client from another
// /24 sends binds and MS03-026-shaped exploits (inert filler). Beside each attack, the same honest
// load with no attack, in the same run. Medians over RUNS runs of each.

import { cpus, loadavg } from 'node:os';
import { ATTACKS, type AttackName } from '../test/helpers/attack-client.js';
import { ATTACK_NODE, measureUnderAttack, startAttackedNode, type AttackResult } from '../test/helpers/under-attack.js';

export const title = 'Sensor under attack: honest sessions stored, exploits detected, probe latency';

const RUNS = 3;
const ATTACK_MS = 6000;
const BUDGET_MB = ATTACK_NODE.memoryBudgetMb;

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)];
};

export async function run(): Promise<string> {
  const node = await startAttackedNode();
  const results = new Map<AttackName | 'none', AttackResult[]>();
  const load0 = loadavg()[0];
  try {
    for (let r = 0; r < RUNS; r++) {
      for (const attack of ['none', ...ATTACKS] as const) {
        const res = await measureUnderAttack(node, attack, ATTACK_MS);
        process.stderr.write(`  ${attack} run ${r + 1}: stored ${res.honestStored}/${res.honestConnections}, alerted ${res.exploitsAlerted}/${res.exploitsSent}, p99 ${res.p99Ms.toFixed(1)} ms\n`);
        results.set(attack, [...(results.get(attack) ?? []), res]);
      }
    }
  } finally {
    await node.stop();
  }
  const quiet = results.get('none')!;
  const quietP99 = median(quiet.map((x) => x.p99Ms));
  const rows: string[] = [];
  let allKept = true;
  let allWithin = true;
  for (const [attack, rs] of results) {
    const stored = rs.reduce((n, x) => n + x.honestStored, 0);
    const honest = rs.reduce((n, x) => n + x.honestConnections, 0);
    const alerted = rs.reduce((n, x) => n + x.exploitsAlerted, 0);
    const sent = rs.reduce((n, x) => n + x.exploitsSent, 0);
    const p99 = median(rs.map((x) => x.p99Ms));
    const ratio = p99 / quietP99;
    if (stored !== honest || alerted !== sent) allKept = false;
    if (attack !== 'none' && !(ratio <= 5)) allWithin = false;
    rows.push(`| ${attack === 'none' ? 'none (quiet baseline)' : attack} | ${stored}/${honest} (${((100 * stored) / Math.max(1, honest)).toFixed(0)}%) | ${alerted}/${sent} (${((100 * alerted) / Math.max(1, sent)).toFixed(0)}%) | ${median(rs.map((x) => x.p50Ms)).toFixed(1)} | ${p99.toFixed(1)} | ${attack === 'none' ? '1.00' : ratio.toFixed(2)} | ${median(rs.map((x) => x.heldPeakMb)).toFixed(1)} | ${median(rs.map((x) => x.rssPeakMb)).toFixed(0)} | ${median(rs.map((x) => x.recoveryMs)).toFixed(0)} | ${attack === 'none' ? '-' : `${median(rs.map((x) => x.attacker?.connections ?? 0))} conns, ${(median(rs.map((x) => x.attacker?.bytes ?? 0)) / 2 ** 20).toFixed(1)} MiB`} |`);
  }
  return [
    `Command: \`npm run bench -- attack\`. ${RUNS} runs of each scenario, ${ATTACK_MS / 1000} s of attack each; the node runs with maxConnections ${ATTACK_NODE.maxConnections}, memoryBudgetMb ${BUDGET_MB}, rateWindowMs ${ATTACK_NODE.rateWindowMs} and exploit alerts unsuppressed (so each exploit is its own alert). The attacker is a child process on 127.0.X.Y; the honest client (127.200.0.1) makes one connection every 100 ms in the node's own process: a bind (latency = connect to bind_ack) or, every third, an MS03-026 RemoteActivation with an inert 600-character UNC server name. Machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load average ${load0.toFixed(1)} at the start.`,
    '',
    '| attack | honest sessions stored | exploits alerted | probe p50 (ms) | probe p99 (ms) | p99 / quiet p99 | held peak (MiB) | RSS peak (MiB) | accepting after the attack (ms) | attacker (median) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Counts are sums over the runs; latencies, memory and recovery are medians of the runs. Held = what the sensor's memory guard counts against its budget (buffers, payload samples, queued output, 8 KiB per connection); RSS is the whole node process (store, detectors, API, the honest client). Targets: 100% stored and detected: ${allKept ? 'met' : 'NOT met'}; p99 within 5x of the quiet run: ${allWithin ? 'met' : 'NOT met'}.`,
  ].join('\n');
}
