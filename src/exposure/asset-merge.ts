// Merging what a source observed into an asset, keeping provenance per fact (kind, value, source with
// first and last seen), and the flat view lists and the API show. Pure functions.

import type { Asset, AssetFact, AssetView, FactKind } from '../model/asset.js';
import { SINGLE_VALUED, type AssetObservation } from './asset-observation.js';

const factKey = (f: { kind: FactKind; value: string }, source: string): string => `${f.kind}\u0000${f.value}\u0000${source}`;

/**
 * The identity keys of an observation, as ExposureStore.findAssetIds takes them. A name identifies
 * only an observation without MAC or address (osquery's hostIdentifier): two machines at different
 * addresses that answer with the same NetBIOS name are two assets, not one.
 */
export function identityOf(obs: AssetObservation): { addresses: string[]; macs: string[]; names: string[] } {
  const of = (k: FactKind): string[] => obs.facts.filter((f) => f.kind === k).map((f) => f.value);
  const addresses = of('address');
  const macs = of('mac');
  return { addresses, macs, names: addresses.length + macs.length === 0 ? of('name') : [] };
}

/**
 * `asset` with `obs` merged in (or a new asset with id `id`). A fact seen again keeps its first-seen
 * time; kinds the observation reports completely (and single-valued kinds it reports) drop the same
 * source's older values that it no longer lists, unless those were seen after this observation.
 */
export function mergeObservation(asset: Asset | undefined, obs: AssetObservation, id: string): Asset {
  const replaced = new Set<FactKind>(obs.complete ?? []);
  for (const f of obs.facts) if (SINGLE_VALUED.has(f.kind)) replaced.add(f.kind);
  const incoming = new Map(obs.facts.map((f) => [factKey(f, obs.source), f]));
  const facts: AssetFact[] = [];
  for (const old of asset?.facts ?? []) {
    const key = factKey(old, old.source);
    const now = incoming.get(key);
    if (now) {
      incoming.delete(key);
      facts.push({
        ...old,
        firstSeen: Math.min(old.firstSeen, obs.seen),
        lastSeen: Math.max(old.lastSeen, obs.seen),
        ...(obs.seen >= old.lastSeen ? { ...(now.detail ? { detail: now.detail } : {}), ...(obs.origin !== undefined ? { origin: obs.origin } : {}) } : {}),
      });
    } else if (!(old.source === obs.source && replaced.has(old.kind) && old.lastSeen <= obs.seen)) {
      facts.push(old);
    }
  }
  for (const f of incoming.values()) {
    facts.push({
      kind: f.kind, value: f.value, source: obs.source, firstSeen: obs.seen, lastSeen: obs.seen,
      ...(obs.origin !== undefined ? { origin: obs.origin } : {}), ...(f.detail ? { detail: f.detail } : {}),
    });
  }
  return {
    id: asset?.id ?? id,
    firstSeen: Math.min(asset?.firstSeen ?? obs.seen, obs.seen),
    lastSeen: Math.max(asset?.lastSeen ?? obs.seen, obs.seen),
    facts,
    ...(asset?.compromised ? { compromised: asset.compromised } : {}),
  };
}

export function assetView(a: Asset): AssetView {
  const values = (k: FactKind): string[] => [...new Set(a.facts.filter((f) => f.kind === k).map((f) => f.value))].sort(compareValues);
  const newest = (k: FactKind): string | undefined => a.facts.filter((f) => f.kind === k).sort((x, y) => y.lastSeen - x.lastSeen)[0]?.value;
  const os = newest('os');
  const owner = newest('owner');
  return {
    id: a.id, addresses: values('address'), names: values('name'), macs: values('mac'),
    ...(os !== undefined ? { os } : {}),
    cpes: values('cpe'), services: values('service'), hotfixes: values('hotfix'), programs: values('program'),
    ...(owner !== undefined ? { owner } : {}),
    tags: values('tag'), sources: [...new Set(a.facts.map((f) => f.source))].sort(),
    firstSeen: a.firstSeen, lastSeen: a.lastSeen,
    ...(a.compromised ? { compromised: a.compromised } : {}),
  };
}

/** "tcp/445" after "tcp/135", "10.0.0.9" before "10.0.0.10": numbers compare as numbers. One collator
 * (localeCompare with options builds one per call). */
const compareValues = new Intl.Collator('en', { numeric: true }).compare;
