// The dashboard's "What if" page, composed here because web may not import outbreak: runs a preset
// (seed 1, one row a minute) one at a time, keeps each preset's result for the node's lifetime (the
// run is deterministic), and hands the page a summary and a curve of at most 400 points.

import { AppError } from '../core/errors.js';
import { PRESET_NAMES, presetByName } from '../outbreak/outbreak-presets.js';
import { runOutbreakAsync } from '../outbreak/outbreak-run.js';
import { summarize } from '../outbreak/outbreak-summary.js';
import type { WhatIfResult, WhatIfRunner } from '../web/web-deps.js';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  codered: 'Code Red v2 (2001): uniform random scanning, 359,000 hosts',
  coderedii: 'Code Red II (2001): local-preference scanning',
  slammer: 'Slammer (2003): one UDP packet, bandwidth-limited',
  witty: 'Witty (2004): hit list, 12,000 hosts',
  blaster: 'Blaster (2003): TCP 135, sequential scanning, 300,000 hosts',
  today: 'Blaster against today\'s exposed population (assumed 100,000 until exposure data exists)',
};

const MAX_POINTS = 400;

const fmt = (s: number | null): string => (s === null ? 'not reached' : s < 3600 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(1)} h`);

export class WhatIfPresets implements WhatIfRunner {
  readonly presets = PRESET_NAMES.map((name) => ({ name, description: DESCRIPTIONS[name] ?? name }));
  private readonly done = new Map<string, WhatIfResult>();
  private running: string | undefined;

  async run(preset: string): Promise<WhatIfResult> {
    const cached = this.done.get(preset);
    if (cached) return cached;
    // One forecast at a time: a run takes seconds of CPU, and the node has sensors to serve.
    if (this.running !== undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `a forecast (${this.running}) is running; try again in a few seconds`);
    this.running = preset;
    try {
      const r = await runOutbreakAsync(presetByName(preset), 1, { sampleEvery: 60 });
      const s = summarize(r);
      const t = r.series.time_s;
      const step = Math.max(1, Math.ceil(t.length / MAX_POINTS));
      const curve: { t: number; v: number }[] = [];
      for (let i = 0; i < t.length; i += step) curve.push({ t: t[i], v: r.series.everInfected[i] });
      const result: WhatIfResult = {
        preset: r.name,
        summary: [
          { label: 'vulnerable hosts', value: s.population.toLocaleString('en-US') },
          { label: 'time to 1 %', value: fmt(s.timeTo1pct_s) },
          { label: 'time to 50 %', value: fmt(s.timeTo50pct_s) },
          { label: 'time to 90 %', value: fmt(s.timeTo90pct_s) },
          { label: 'peak new infections per minute', value: Math.round(s.peakNewPerMinute).toLocaleString('en-US') },
          { label: 'final infected', value: `${s.finalEverInfected.toLocaleString('en-US')} (${(s.finalFraction * 100).toFixed(1)} %)` },
          { label: 'doubling time', value: fmt(s.doublingTime_s) },
        ],
        curve,
      };
      this.done.set(preset, result);
      return result;
    } finally {
      this.running = undefined;
    }
  }
}
