// The TAXII 2.1 resources of a Vigil node, without HTTP (OASIS TAXII 2.1 sections 4-5): discovery,
// one API root, collections with per-principal read/write, envelopes, manifests, versions and status.
// The server's routes (src/server/routes/taxii.ts) only parse, authenticate and serialise.

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { resolveLimits } from '../../core/limits.js';
import { uuidv5, VIGIL_NAMESPACE } from '../stix/stix-id.js';
import { TaxiiCollection, taxiiTime, type StixLike, type TaxiiEntry, type TaxiiFilter } from './taxii-collection.js';
import { STIX_MEDIA_TYPE, TAXII_LIMITS, TAXII_MEDIA_TYPE } from './taxii-limits.js';
import { envelopeObjects, objectProblem, TaxiiError, type PageRequest, type TaxiiLimits } from './taxii-request.js';

/** Who is asking, and what they may do: collection aliases (or `*`) they may read and write. */
export interface TaxiiPrincipal {
  readonly name: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

export interface CollectionSpec {
  /** Short name: the collection's alias and the base of its id (a UUIDv5 of it, stable across restarts). */
  readonly alias: string;
  readonly title: string;
  readonly description?: string;
}

export interface TaxiiServiceOptions {
  readonly title: string;
  readonly apiRoot: string;
  readonly collections: readonly CollectionSpec[];
  /** Directory for the collection journals (the data dir's `taxii/`); none keeps them in memory. */
  readonly dir?: string;
  readonly limits?: Partial<Record<keyof typeof TAXII_LIMITS, number>>;
  readonly nowUs?: () => number;
  /** Told of every object a principal added through POST (not of the node's own publish). */
  readonly onAdded?: (alias: string, by: string, objects: readonly StixLike[]) => void;
}

export interface StatusResource {
  readonly id: string;
  readonly status: 'complete';
  readonly request_timestamp: string;
  readonly total_count: number;
  readonly success_count: number;
  readonly successes: readonly { id: string; version: string; message?: string }[];
  readonly failure_count: number;
  readonly failures: readonly { id: string; version?: string; message: string }[];
  readonly pending_count: 0;
  readonly pendings: readonly never[];
}

interface Held {
  readonly spec: CollectionSpec;
  readonly id: string;
  readonly store: TaxiiCollection;
}

export class TaxiiService {
  readonly limits: TaxiiLimits;
  private readonly collections = new Map<string, Held>();
  private readonly statuses = new Map<string, { status: StatusResource; owner: string }>();

  constructor(private readonly o: TaxiiServiceOptions) {
    this.limits = resolveLimits(TAXII_LIMITS, o.limits, 'share.taxii.limits');
    for (const spec of o.collections) {
      const id = collectionId(spec.alias);
      this.collections.set(id, {
        spec, id,
        store: new TaxiiCollection({
          maxEntries: this.limits.maxObjectsPerCollection,
          ...(o.dir !== undefined ? { journal: join(o.dir, `${id}.jsonl`) } : {}),
          ...(o.nowUs ? { nowUs: o.nowUs } : {}),
        }),
      });
    }
  }

  get apiRootName(): string {
    return this.o.apiRoot;
  }

  discovery(baseUrl: string): Record<string, unknown> {
    const root = `${baseUrl}/${this.o.apiRoot}/`;
    return { title: this.o.title, description: 'TAXII 2.1 server of a Vigil early-warning node', default: root, api_roots: [root] };
  }

  apiRootInfo(): Record<string, unknown> {
    return { title: `${this.o.title}: indicators and sightings`, versions: [TAXII_MEDIA_TYPE], max_content_length: this.limits.maxContentBytes };
  }

  listCollections(who: TaxiiPrincipal): Record<string, unknown>[] {
    return [...this.collections.values()].filter((c) => may(who, 'read', c) || may(who, 'write', c)).map((c) => this.info(c, who));
  }

  collection(cid: string, who: TaxiiPrincipal): Record<string, unknown> {
    return this.info(this.held(cid, who), who);
  }

  /** GET objects (section 5.4) or one object's versions (5.6): an envelope and its date_added bounds. */
  objects(cid: string, who: TaxiiPrincipal, req: PageRequest, oid?: string): { body: Record<string, unknown>; first?: string; last?: string } {
    const c = this.readable(cid, who);
    const page = this.page(c, req, oid);
    if (oid !== undefined && page.items.length === 0) throw new TaxiiError(404, 'No such object', `${oid} is not in this collection`);
    return this.paged(page.items, page.more, { objects: page.items.map((e) => e.obj) });
  }

  manifest(cid: string, who: TaxiiPrincipal, req: PageRequest): { body: Record<string, unknown>; first?: string; last?: string } {
    const c = this.readable(cid, who);
    const page = this.page(c, req);
    return this.paged(page.items, page.more, {
      objects: page.items.map((e) => ({ id: e.id, date_added: taxiiTime(e.dateAddedUs), version: e.version, media_type: `application/stix+json;version=${e.specVersion}` })),
    });
  }

  versions(cid: string, who: TaxiiPrincipal, req: PageRequest, oid: string): { body: Record<string, unknown>; first?: string; last?: string } {
    const c = this.readable(cid, who);
    const page = this.page(c, { ...req, filter: { ...req.filter, versions: ['all'] } }, oid);
    if (page.items.length === 0) throw new TaxiiError(404, 'No such object', `${oid} is not in this collection`);
    return this.paged(page.items, page.more, { versions: page.items.map((e) => e.version) });
  }

  /** POST an envelope (section 5.5): each object stored or failed on its own; the status is kept for GET status. */
  addEnvelope(cid: string, who: TaxiiPrincipal, body: unknown): StatusResource {
    const c = this.held(cid, who);
    if (!may(who, 'write', c)) throw new TaxiiError(403, 'Forbidden', `${who.name} may not write to this collection`);
    const objects = envelopeObjects(body, this.limits);
    const requestTs = taxiiTime(this.o.nowUs?.() ?? Date.now() * 1000);
    const successes: { id: string; version: string; message?: string }[] = [];
    const failures: { id: string; version?: string; message: string }[] = [];
    const good: StixLike[] = [];
    for (const o of objects) {
      const problem = objectProblem(o, this.limits);
      if (problem === undefined) good.push(o as StixLike);
      else failures.push({ id: idOf(o), message: problem });
    }
    const outcomes = c.store.addAll(good, who.name);
    const added = good.filter((_, i) => outcomes[i] === 'added');
    if (added.length) this.o.onAdded?.(c.spec.alias, who.name, added);
    good.forEach((o, i) => {
      const version = typeof o.modified === 'string' ? o.modified : typeof o.created === 'string' ? o.created : requestTs;
      if (outcomes[i] === 'full') failures.push({ id: o.id, version, message: 'collection is full' });
      else successes.push({ id: o.id, version, ...(outcomes[i] === 'exists' ? { message: 'version already held' } : {}) });
    });
    const status: StatusResource = {
      id: randomUUID(), status: 'complete', request_timestamp: requestTs, total_count: objects.length,
      success_count: successes.length, successes, failure_count: failures.length, failures, pending_count: 0, pendings: [],
    };
    this.statuses.set(status.id, { status, owner: who.name });
    if (this.statuses.size > this.limits.maxStatuses) this.statuses.delete(this.statuses.keys().next().value!);
    return status;
  }

  status(id: string, who: TaxiiPrincipal): StatusResource {
    const s = this.statuses.get(id);
    // Another principal's status is as absent as an unknown one: its ids would leak what they wrote.
    if (s === undefined || (s.owner !== who.name && !who.read.includes('*'))) throw new TaxiiError(404, 'No such status', id);
    return s.status;
  }

  deleteObject(cid: string, who: TaxiiPrincipal, oid: string, filter: TaxiiFilter): void {
    const c = this.held(cid, who);
    if (!may(who, 'write', c) || !may(who, 'read', c)) throw new TaxiiError(403, 'Forbidden', `${who.name} may not delete from this collection`);
    if (c.store.remove(oid, { ...filter, versions: filter.versions ?? ['all'] }) === 0) throw new TaxiiError(404, 'No such object', oid);
  }

  /** Objects the node itself publishes (its alerts as STIX), bypassing permissions. Returns how many were new. */
  publish(alias: string, objects: readonly StixLike[]): number {
    const c = this.collections.get(collectionId(alias));
    if (!c) throw new TaxiiError(404, 'No such collection', alias);
    return c.store.addAll(objects).filter((r) => r === 'added').length;
  }

  /** Every object version a collection holds, with who added it (the node reloads partners' indicators with it). */
  entries(alias: string): readonly { obj: StixLike; by?: string }[] {
    return this.collections.get(collectionId(alias))?.store.query({ versions: ['all'] }, Number.MAX_SAFE_INTEGER).items ?? [];
  }

  /** The latest held version of an object in a collection (the publisher keeps created stable with it). */
  latest(alias: string, id: string): StixLike | undefined {
    return this.collections.get(collectionId(alias))?.store.latest(id);
  }

  private page(c: Held, req: PageRequest, oid?: string): { items: readonly TaxiiEntry[]; more: boolean } {
    const filter = oid === undefined ? req.filter : { ...req.filter, ids: [oid] };
    return c.store.query(filter, req.limit, req.afterUs);
  }

  private paged(items: readonly TaxiiEntry[], more: boolean, body: Record<string, unknown>): { body: Record<string, unknown>; first?: string; last?: string } {
    const first = items[0];
    const last = items.at(-1);
    return {
      body: { more, ...(more && last ? { next: String(last.dateAddedUs) } : {}), ...(items.length ? body : {}) },
      ...(first && last ? { first: taxiiTime(first.dateAddedUs), last: taxiiTime(last.dateAddedUs) } : {}),
    };
  }

  private info(c: Held, who: TaxiiPrincipal): Record<string, unknown> {
    return {
      id: c.id, title: c.spec.title, ...(c.spec.description ? { description: c.spec.description } : {}), alias: c.spec.alias,
      can_read: may(who, 'read', c), can_write: may(who, 'write', c), media_types: [STIX_MEDIA_TYPE],
    };
  }

  /** A collection this principal may see at all; an unseen one is as absent as an unknown one. */
  private held(cid: string, who: TaxiiPrincipal): Held {
    const c = this.collections.get(cid);
    if (!c || (!may(who, 'read', c) && !may(who, 'write', c))) throw new TaxiiError(404, 'No such collection', cid);
    return c;
  }

  private readable(cid: string, who: TaxiiPrincipal): Held {
    const c = this.held(cid, who);
    if (!may(who, 'read', c)) throw new TaxiiError(403, 'Forbidden', `${who.name} may not read this collection`);
    return c;
  }
}

/** A collection's id: a UUIDv5 of its alias, so partners' saved URLs survive restarts. */
export function collectionId(alias: string): string {
  return uuidv5(`taxii-collection:${alias}`, VIGIL_NAMESPACE);
}

function may(who: TaxiiPrincipal, what: 'read' | 'write', c: Held): boolean {
  const list = what === 'read' ? who.read : who.write;
  return list.includes('*') || list.includes(c.spec.alias);
}

function idOf(o: unknown): string {
  const id = o !== null && typeof o === 'object' ? (o as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 300) : '(no id)';
}
