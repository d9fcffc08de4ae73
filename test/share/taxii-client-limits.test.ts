// The TAXII client against hostile servers on loopback: an answer over the byte limit, a server that
// always says `more`, a non-JSON answer, a redirect elsewhere; each ends in a TaxiiClientError, bounded.
// And the publisher's versioning: a later alert continues an object's version, an equal one adds nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { makeAlert } from '../../src/detect/alert-factory.js';
import { StixExporter } from '../../src/share/stix/stix-export.js';
import { TaxiiClient, TaxiiClientError } from '../../src/share/taxii/taxii-client.js';
import { continueVersion } from '../../src/share/taxii/stix-publisher.js';

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/api/collections/x/` };
}

test('hostile TAXII servers: oversized, endless, garbled and redirecting answers are refused within limits', async () => {
  let calls = 0;
  const { server, url } = await serve((req, res) => {
    calls++;
    if (req.url!.includes('limit=1')) {
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      res.end(JSON.stringify({ more: true, next: '1', objects: [{ type: 'note', id: 'note--0b6b2b1e-1d7a-4d4c-8a8e-777777777777' }] }));
    } else if (req.url!.includes('limit=2')) {
      res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' });
      res.write('{"objects":[');
      res.end('"x",'.repeat(300_000) + '"x"]}');
    } else if (req.url!.includes('limit=3')) {
      res.writeHead(200).end('<html>not json</html>');
    } else {
      res.writeHead(302, { location: 'http://192.0.2.1/elsewhere' }).end();
    }
  });
  try {
    const c = (max: Partial<{ maxResponseBytes: number; maxPages: number }>) => new TaxiiClient({ collectionUrl: url, limits: max });
    const endless = await c({ maxPages: 5 }).pull({ limit: 1 });
    assert.equal(endless.pages, 5, 'stops at maxPages');
    assert.equal(calls, 5);
    await assert.rejects(c({ maxResponseBytes: 100_000 }).pull({ limit: 2 }), (e: unknown) => e instanceof TaxiiClientError && /over the 100000-byte limit/.test(e.message));
    await assert.rejects(c({}).pull({ limit: 3 }), (e: unknown) => e instanceof TaxiiClientError && /not JSON/.test(e.message));
    await assert.rejects(c({}).pull({ limit: 4 }), TaxiiClientError);
  } finally {
    server.close();
  }
});

test('publisher versioning: a later sighting of an indicator continues it (created, valid_from kept); the same one adds nothing', () => {
  const opts = { organization: 'o', sensor: 's', tlp: 'green' } as const;
  const alertAt = (ts: number) => makeAlert({ ts, detector: 'exploit', rule: 'r', severity: 'high', title: 't', src: '192.0.2.9', dport: 135 });
  const first = new StixExporter(opts);
  first.add(alertAt(1_000_000));
  const later = new StixExporter(opts);
  later.add(alertAt(9_000_000));
  const a = first.objects().find((o) => o.type === 'indicator')!;
  const b = later.objects().find((o) => o.type === 'indicator')!;
  assert.equal(a.id, b.id);
  const v = continueVersion(b, a)!;
  assert.equal(v.created, a.created);
  assert.equal(v.valid_from, a.valid_from);
  assert.equal(v.modified, b.modified);
  assert.equal(v.valid_until, b.valid_until);
  assert.equal(continueVersion(a, a), undefined);
  assert.equal(continueVersion(a, b), undefined, 'an older alert never rolls a version back');
  const sco = first.objects().find((o) => o.type === 'ipv4-addr')!;
  assert.equal(continueVersion(sco, sco), undefined, 'an SCO is held once');
});
