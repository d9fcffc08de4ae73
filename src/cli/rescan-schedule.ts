// Scheduled rescans of `vigil up` (scan.* keys): the scanner library over the configured targets,
// inside the configured scope, every scan.intervalMinutes; each finished scan goes to the exposure
// service, which closes a finding only when the fix is observed and reopens it when the flaw is seen
// again. The runs are kept (the last MAX_RUNS) for /api/v1/scans. Composition only: the scanning is
// src/scan's, the bookkeeping src/exposure's.

import { randomUUID } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ExposureService } from '../exposure/exposure-service.js';
import type { HostScanResult, ScanRun } from '../model/scan.js';
import { runScan, Scope, scopeFileEntries } from '../scan/index.js';
import type { VigilConfig } from './config.js';

const MAX_RUNS = 50;

export class RescanSchedule {
  private readonly runs: ScanRun[] = [];
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly ac = new AbortController();
  private readonly scope: Scope;

  constructor(
    private readonly config: VigilConfig['scan'],
    private readonly exposure: Pick<ExposureService, 'applyScan'>,
    private readonly logger: Logger,
  ) {
    // the scope is read once, at start: a bad scope file stops the node from starting, with its name
    this.scope = Scope.of(config.scopeFile === '' ? undefined : scopeLines(config.scopeFile));
  }

  /** Newest first. */
  list(): readonly ScanRun[] {
    return [...this.runs].reverse();
  }

  start(): void {
    const tick = (): void => void this.runNow();
    this.timer = setInterval(tick, this.config.intervalMinutes * 60_000);
    this.timer.unref();
    tick();
  }

  /** Start a scan unless one is running; resolves when it is over. */
  runNow(): Promise<void> {
    this.current ??= this.scan().finally(() => (this.current = undefined));
    return this.current;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.ac.abort();
    await this.current;
  }

  private async scan(): Promise<void> {
    const c = this.config;
    let run: ScanRun = { id: randomUUID(), startedAt: Date.now(), targets: c.targets, ports: c.ports, checks: c.checks, state: 'running' };
    this.runs.push(run);
    if (this.runs.length > MAX_RUNS) this.runs.shift();
    const update = (r: ScanRun): void => {
      this.runs[this.runs.indexOf(run)] = r;
      run = r;
    };
    const seen: HostScanResult[] = [];
    try {
      const summary = await runScan({
        targets: c.targets, scope: this.scope, ports: c.ports, checks: c.checks, rpcPorts: { tcp: c.rpcPorts, http: [593] },
        signal: this.ac.signal, onResult: (r) => void seen.push(r),
      });
      if (summary.interrupted) throw new Error('stopped with the node');
      const s = await this.exposure.applyScan(seen);
      update({ ...run, state: 'done', finishedAt: Date.now(), hostsUp: summary.hostsUp, hostsTotal: summary.hostsTotal, ...s });
      this.logger.info({ scan: run }, 'scheduled rescan done');
    } catch (e) {
      update({ ...run, state: 'failed', finishedAt: Date.now(), error: e instanceof Error ? e.message : String(e) });
      this.logger.warn({ scan: run }, 'scheduled rescan failed');
    }
  }
}

function scopeLines(file: string): string[] {
  try {
    return scopeFileEntries(file);
  } catch (e) {
    throw e instanceof AppError ? new AppError('VIGIL_ERR_CONFIG', `scan.scopeFile: ${e.message}`) : e;
  }
}
