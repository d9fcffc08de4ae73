// Prometheus gauges of exposure (prom-client): findings per status, overdue findings and assets, read
// from the store at scrape time so that a `vigil assets import` in another process shows at once.

import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { ExposureStore } from './exposure-store-port.js';
import { isoDay } from './finding-policy.js';

export function registerExposureMetrics(registry: Registry, store: ExposureStore, clock: Clock): void {
  new Gauge({
    name: 'vigil_findings', help: 'Findings (asset x vulnerability) per status', labelNames: ['status'], registers: [registry],
    async collect() {
      const c = await store.findingCounts(isoDay(clock.now()));
      for (const [status, n] of Object.entries(c.byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'vigil_findings_overdue', help: 'Open or reopened findings past their due date', registers: [registry],
    async collect() {
      this.set((await store.findingCounts(isoDay(clock.now()))).overdue);
    },
  });
  new Gauge({
    name: 'vigil_assets', help: 'Assets in the inventory, and those probably compromised (an alert came from them)', labelNames: ['state'], registers: [registry],
    async collect() {
      this.set({ state: 'all' }, (await store.listAssets({ limit: 1 })).total);
      this.set({ state: 'compromised' }, (await store.listAssets({ compromised: true, limit: 1 })).total);
    },
  });
}
