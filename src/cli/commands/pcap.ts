// `vigil pcap FILE [--calls] [--json] [--count]`: decode every DCE/RPC PDU or call in a pcap/pcapng
// capture (found by content on any TCP port) as JSON lines or an aligned table, or only count them.

import type { Command } from 'commander';
import { callRecord } from '../pcap/call-record.js';
import { analyzeCapture, type AnalyzeOptions, type PcapStats } from '../../ingest/capture/pcap-driver.js';
import { pduRecord } from '../pcap/pdu-record.js';
import { CallNames } from '../../kb/call-names.js';
import { collectCaptureLimit, type CaptureLimitOverrides } from '../pcap/capture-limit-flag.js';
import { addCallRow, addPduRow, callTable, pduTable, statsText, type TextTable } from '../pcap/table-format.js';

interface PcapFlags {
  calls?: boolean;
  json?: boolean;
  count?: boolean;
  captureLimit?: CaptureLimitOverrides;
}

export function register(program: Command): void {
  program
    .command('pcap')
    .description('decode the DCE/RPC traffic of a pcap or pcapng capture (any TCP port, found by content)')
    .argument('<file>', 'capture file (pcap or pcapng)')
    .option('--calls', 'one record per call (Zeek dce_rpc.log / Suricata EVE dcerpc shape) instead of one per PDU')
    .option('--json', 'JSON lines instead of a table')
    .option('--count', 'decode everything but print only the totals (PDUs, calls, bytes, anomalies by name)')
    .option('--stats', 'same as --count')
    .option('--capture-limit <name=value>', 'a capture limit for this run (repeatable): max_flows, tcp_idle_timeout_s (default 300, 0 = never), max_out_of_order_bytes, max_out_of_order_segments, max_record_bytes', collectCaptureLimit)
    .action((file: string, flags: PcapFlags & { stats?: boolean }) => {
      runPcap(file, { ...flags, count: flags.count || flags.stats });
    });
}

/** The command's work, separate from commander so tests and the benchmark can call it. */
export function runPcap(file: string, flags: PcapFlags, write: (s: string) => void = (s) => process.stdout.write(s)): PcapStats {
  const out = new BufferedWriter(write);
  const { sinks, table } = outputSinks(flags, (s) => out.write(s));
  const stats = analyzeCapture(file, { names: new CallNames().lookup, ...(flags.captureLimit && { captureLimits: flags.captureLimit }), ...sinks });
  table?.flush();
  if (flags.json && flags.count) out.write(`${JSON.stringify(stats)}\n`);
  else if (!flags.json) out.write(`${table && table.size > 0 ? '\n' : ''}${statsText(stats)}\n`);
  out.flush();
  return stats;
}

/** JSON lines are written as they come; a table prints in chunks so that its columns line up. */
function outputSinks(flags: PcapFlags, write: (s: string) => void): { sinks: Pick<AnalyzeOptions, 'onPdu' | 'onCall'>; table?: TextTable } {
  if (flags.count) return { sinks: {} };
  if (flags.json) {
    return flags.calls
      ? { sinks: { onCall: (c, f) => write(`${JSON.stringify(callRecord(c, f))}\n`) } }
      : { sinks: { onPdu: (e) => write(`${JSON.stringify(pduRecord(e))}\n`) } };
  }
  if (flags.calls) {
    const table = callTable(write);
    return { sinks: { onCall: (c, f) => addCallRow(table, c, f) }, table };
  }
  const table = pduTable(write);
  return { sinks: { onPdu: (e) => addPduRow(table, e) }, table };
}

/** Joins small writes (one per PDU) into 64 KiB ones: a write per line would cost a system call each. */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: (s: string) => void) {}

  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 64 * 1024) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
