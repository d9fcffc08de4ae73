// Background retention: runs bounded pruning passes on a timer, back to back (yielding to the event
// loop between passes) while a pass reports more is due, so pruning never holds the store for long.

import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { PruneResult } from './store.js';

export interface RetentionRunnerOptions {
  /** Time between rounds when nothing is due (default 60 s). */
  readonly intervalMs?: number;
  /** At most this many passes per round, so a huge backlog is worked off over several rounds. */
  readonly maxPassesPerRound?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Called after each pass that removed something (metrics, tests). */
  readonly onPass?: (r: PruneResult) => void;
}

export class RetentionRunner {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly prune: (now: number) => Promise<PruneResult>,
    private readonly opts: RetentionRunnerOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stop the timer and wait for a round in progress to finish its current pass. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** Run one round now (also what the timer does). */
  runRound(): Promise<void> {
    this.round ??= this.doRound().finally(() => {
      this.round = undefined;
    });
    return this.round;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runRound().then(() => this.schedule(this.opts.intervalMs ?? 60_000));
    }, ms);
    this.timer.unref();
  }

  private async doRound(): Promise<void> {
    const clock = this.opts.clock ?? systemClock;
    const max = this.opts.maxPassesPerRound ?? 100;
    try {
      for (let i = 0; i < max && !this.stopped; i++) {
        const r = await this.prune(clock.now());
        if (r.sessions + r.events + r.payloads + r.statsRows > 0) this.opts.onPass?.(r);
        if (!r.more) break;
        await new Promise<void>((res) => setImmediate(res));
      }
    } catch (e) {
      (this.opts.logger ?? silentLogger).warn({ err: e }, 'retention pass failed; will retry next round');
    }
  }
}
