// The detect.* configuration as DetectPipeline options: what `vigil up` (node-services.ts) builds
// its pipeline from, and what `vigil replay` and other composition roots pass to theirs.

import type { PipelineOptions } from '../detect/detect-pipeline.js';
import type { TrwParams } from '../detect/scan-trw-detector.js';
import { vulnerabilityPortsOf } from '../detect/surge-detector.js';
import { starterRecords } from '../kb/data/starter-data.js';
import type { VigilConfig } from './config.js';

/** Keys that are not limits of their detector's LIMITS table, taken out before resolveLimits sees them. */
const TRW_PARAM_NAMES = ['theta0', 'theta1', 'alpha', 'beta'] as const;

function without(o: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !names.includes(k))) as Record<string, number>;
}

/**
 * Pipeline options from the configuration. `sensor.ports` are the ports a recon sweep counts, so a
 * node that listens on other ports sweeps-checks its own. Extra surge options (the knowledge base's
 * vulnerability ports) are merged in by the caller.
 */
export function pipelineOptionsFrom(config: Pick<VigilConfig, 'detect' | 'sensor'>): PipelineOptions {
  const d = config.detect;
  const { cusumK, cusumH } = d.surge;
  const trwParams = Object.fromEntries(TRW_PARAM_NAMES.filter((n) => d.trw[n] !== undefined).map((n) => [n, d.trw[n]])) as Partial<TrwParams>;
  const { minAnomalySeverity, ...exploitLimits } = d.exploit;
  return {
    allowlist: d.allowlist,
    surge: {
      limits: without(d.surge, ['cusumK', 'cusumH']),
      cusum: { ...(cusumK !== undefined ? { k: cusumK } : {}), ...(cusumH !== undefined ? { h: cusumH } : {}) },
    },
    trw: { params: trwParams, limits: without(d.trw, TRW_PARAM_NAMES) },
    threshold: { limits: d.threshold },
    recon: { ports: config.sensor.ports, limits: d.recon },
    sweep: { limits: d.sweep },
    exploit: { limits: exploitLimits, ...(minAnomalySeverity !== undefined ? { minAnomalySeverity } : {}) },
  };
}

/**
 * The pipeline `vigil up` runs: the detect.* configuration, and the surge detector following each
 * vulnerability of the starter knowledge base on its ports. `vigil evaluate early-warning` runs the
 * same, so what it measures is what a node raises.
 */
export function nodePipelineOptions(config: Pick<VigilConfig, 'detect' | 'sensor'>): PipelineOptions {
  const pipeline = pipelineOptionsFrom(config);
  if (pipeline.surge === false) return pipeline;
  const vulnerabilityPorts = vulnerabilityPortsOf(Object.entries(starterRecords()).map(([id, r]) => ({ id, ports: r.ports })));
  return { ...pipeline, surge: { ...(pipeline.surge ?? {}), vulnerabilityPorts } };
}
