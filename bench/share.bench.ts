// Sharing costs: STIX 2.1 export, ECS and CEF formatting of alerts beside plain JSON.stringify of the
// same alerts; TAXII 2.1 POST of one envelope and paging it back over loopback HTTP beside a bare
// node:http server sending the same bytes.

import { createServer } from 'node:http';
import { Registry } from 'prom-client';
import { makeAlert } from '../src/detect/alert-factory.js';
import type { Alert } from '../src/model/alert.js';
import { buildServer } from '../src/server/app.js';
import { taxiiPlugin } from '../src/server/routes/taxii.js';
import { alertToCef } from '../src/share/siem/cef-format.js';
import { alertToEcs } from '../src/share/siem/ecs-format.js';
import { alertsToStix } from '../src/share/stix/stix-export.js';
import { TaxiiClient } from '../src/share/taxii/taxii-client.js';
import { collectionId, TaxiiService } from '../src/share/taxii/taxii-service.js';

export const title = 'share: STIX export, SIEM formats, TAXII over loopback';

const N = 20_000;

function alerts(): Alert[] {
  return Array.from({ length: N }, (_, i) => makeAlert({
    ts: Date.UTC(2003, 7, 11) + i * 1000, detector: i % 3 ? 'exploit' : 'trw', rule: 'ms03_026_unc_server', severity: 'critical',
    title: `exploit from 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dport: 135,
    cves: ['CVE-2003-0352'], indicators: [{ type: 'ipv4-addr', value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }],
  }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => unknown, runs = 5): number {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

export async function run(): Promise<string> {
  const as = alerts();
  const plain = time(() => as.map((a) => JSON.stringify(a)));
  let objects = 0;
  const stix = time(() => {
    objects = alertsToStix(as, { organization: 'o', sensor: 's', tlp: 'green' }).objects.length;
  });
  const ecs = time(() => as.map((a) => JSON.stringify(alertToEcs(a, { observer: 's' }))));
  const cef = time(() => as.map((a) => alertToCef(a, { observer: 's' })));

  const bundle = alertsToStix(as.slice(0, 2000), { organization: 'o', sensor: 's', tlp: 'green' }).objects;
  const svc = new TaxiiService({ title: 'b', apiRoot: 'vigil', collections: [{ alias: 'c', title: 'c' }], limits: { maxContentBytes: 256 * 1024 * 1024, maxObjectsPerEnvelope: 100_000 } });
  const token = 'bench-token-0123456789abcdef';
  const app = await buildServer({ store: {} as never, registry: new Registry(), token, routes: [taxiiPlugin({ service: svc, prefix: '/taxii2', apiToken: () => token, users: [] })] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new TaxiiClient({ collectionUrl: `${base}/taxii2/vigil/collections/${collectionId('c')}/`, auth: { token }, limits: { objectsPerEnvelope: 100_000 } });
  let t = performance.now();
  await client.push(bundle);
  const post = performance.now() - t;
  const pulls: number[] = [];
  let pages = 0;
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    pages = (await client.pull({ limit: 1000 })).pages;
    pulls.push(performance.now() - t);
  }
  const body = JSON.stringify({ objects: bundle });
  const bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;
  const bares: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    JSON.parse(await (await fetch(bareUrl)).text());
    bares.push(performance.now() - t);
  }
  bare.close();
  await app.close();
  return [
    `| what (${N} alerts) | ms (median of 5) | beside |`, '|---|---|---|',
    `| JSON.stringify of each alert (peer) | ${plain.toFixed(0)} | 1.0x |`,
    `| STIX 2.1 bundle (${objects} objects) | ${stix.toFixed(0)} | ${(stix / plain).toFixed(1)}x |`,
    `| ECS JSON lines | ${ecs.toFixed(0)} | ${(ecs / plain).toFixed(1)}x |`,
    `| CEF lines | ${cef.toFixed(0)} | ${(cef / plain).toFixed(1)}x |`,
    '',
    `| TAXII over loopback (${bundle.length} objects, ${(body.length / 1e6).toFixed(1)} MB) | ms | beside |`, '|---|---|---|',
    `| bare node:http GET of the same JSON, parsed (peer, median of 3) | ${median(bares).toFixed(0)} | 1.0x |`,
    `| POST one envelope, 202 + status | ${post.toFixed(0)} | ${(post / median(bares)).toFixed(1)}x |`,
    `| GET all objects, limit 1000 (${pages} pages, median of 3) | ${median(pulls).toFixed(0)} | ${(median(pulls) / median(bares)).toFixed(1)}x |`,
  ].join('\n');
}
