// Live sensor personas on their own loopback addresses for the scanner tests, started before the
// file's tests and stopped after, and one scan of them shared by the tests. Root is needed for the
// Windows ports; when a listener cannot start, `skip()` says why and the tests skip with it.

import { after, before } from 'node:test';
import { Sensor } from '../../src/sensor/sensor.js';
import type { PersonaConfig } from '../../src/sensor/sensor-types.js';
import { Scope } from '../../src/scan/scope.js';
import { runScan } from '../../src/scan/scanner.js';
import type { HostScanResult } from '../../src/model/scan.js';
import { isRoot } from '../helpers/peers.js';

export interface PersonaHost {
  readonly address: string;
  readonly ports: readonly number[];
  readonly persona: Partial<PersonaConfig>;
}

export interface PersonaHosts {
  /** Why the tests cannot run (not root, a listener refused), or false. */
  skip(): string | false;
  /** One scan of `targets` with both MS03-026 checks, made once and shared. */
  scanAll(): Promise<Map<string, HostScanResult>>;
}

export function personaHosts(hosts: readonly PersonaHost[], targets: string): PersonaHosts {
  const sensors: Sensor[] = [];
  let skip: string | false = isRoot() ? false : `needs root to listen on ${[...new Set(hosts.flatMap((h) => h.ports))].join(', ')}`;
  let results: Promise<Map<string, HostScanResult>> | undefined;
  before(async () => {
    if (skip) return;
    for (const h of hosts) {
      const s = new Sensor({ hosts: [h.address], ports: [...h.ports], persona: h.persona, sink: { write: () => undefined } });
      try {
        await s.start();
        sensors.push(s);
      } catch (e) {
        skip = `cannot listen on ${h.address}:${h.ports.join(',')} (${(e as Error).message})`;
        return;
      }
    }
  });
  after(async () => {
    for (const s of sensors) await s.stop();
  });
  return {
    skip: () => skip,
    scanAll: () => (results ??= (async () => {
      const out = new Map<string, HostScanResult>();
      await runScan({ targets: [targets], scope: Scope.of(undefined), checks: ['ms03-026', 'ms03-039'], onResult: (r) => void out.set(r.address, r) });
      return out;
    })()),
  };
}
