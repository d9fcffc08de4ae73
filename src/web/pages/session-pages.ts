// Sessions: a filtered, paged list, and one session drilled down to the bytes: its timeline, the
// decoded DCE/RPC calls (interface, operation, the DCOM activation's object name and UNC server),
// anomalies, the shell transcript, a hex view of the payload and the raw download.

import type { FastifyInstance } from 'fastify';
import ipaddr from 'ipaddr.js';
import { AppError } from '../../core/errors.js';
import { withFaultName } from '../../kb/dcerpc-names.js';
import type { SessionRecord } from '../../model/session.js';
import type { WebContext } from '../web-context.js';

interface ListQuery { port?: number; source?: string; anomalies?: 'yes' | 'no' | ''; cursor?: string; limit?: number }

const sessionIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } } } as const;

/** Bytes of the payload shown as hex on the page; the rest is in the download. */
export const HEX_VIEW_BYTES = 4096;

export interface TimelineItem {
  readonly t: number;
  readonly kind: 'start' | 'call' | 'in' | 'out' | 'end';
  readonly text: string;
}

export function sessionRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: ListQuery }>('/sessions', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          port: { type: 'integer', minimum: 0, maximum: 65535 }, source: { type: 'string', maxLength: 45 },
          anomalies: { type: 'string', enum: ['yes', 'no', ''] }, cursor: { type: 'string', maxLength: 200 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
        },
      },
    },
  }, async (request, reply) => {
    const f = request.query;
    const source = f.source?.trim() ? normalize(f.source) : undefined;
    const page = await ctx.deps.store.listSessions({
      port: f.port, source, limit: f.limit ?? 100, cursor: f.cursor || undefined,
      ...(f.anomalies === 'yes' ? { hasAnomaly: true } : f.anomalies === 'no' ? { hasAnomaly: false } : {}),
    });
    return ctx.pages.send(request, reply, 'sessions', 'sessions', 'Sessions', { page, filters: { ...f, source }, fragment: 'sessions-table' });
  });

  app.get<{ Params: { id: string } }>('/sessions/:id', { schema: { params: sessionIdParams } }, async (request, reply) => {
    const s = await ctx.deps.store.getSession(request.params.id);
    if (!s) throw new AppError('VIGIL_ERR_NOT_FOUND', `no session ${request.params.id}`);
    const sha = s.payloadSha256?.[0];
    const [sample, alerts] = await Promise.all([
      sha !== undefined ? ctx.deps.store.getPayload?.(sha) : Promise.resolve(undefined),
      ctx.deps.alerts.listAlerts({ src: s.src, limit: 200 }),
    ]);
    const bytes = sample ? sample.data.subarray(0, HEX_VIEW_BYTES) : Uint8Array.from(Buffer.from(s.firstBytesHex ?? '', 'hex'));
    return ctx.pages.send(request, reply, 'session', 'sessions', `Session ${s.id}`, {
      s, calls: s.calls.map(withFaultName), timeline: timeline(s), sample, bytes, hexFrom: sample ? 'payload' : 'first bytes',
      alerts: alerts.filter((a) => a.session === s.id), sourceAlerts: alerts.filter((a) => a.session !== s.id).slice(0, 20),
    });
  });

  app.get<{ Params: { id: string } }>('/sessions/:id/payload', { schema: { params: sessionIdParams } }, async (request, reply) => {
    const { id } = request.params;
    const s = await ctx.deps.store.getSession(id);
    const sha = s?.payloadSha256?.[0];
    const sample = sha === undefined ? undefined : await ctx.deps.store.getPayload?.(sha);
    if (!sample) throw new AppError('VIGIL_ERR_NOT_FOUND', `session ${id} has no stored payload`);
    // Attacker bytes as an opaque attachment (nosniff is on every answer): no browser renders them.
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="vigil-session-${id}.bin"`)
      .header('x-payload-sha256', sample.sha256)
      .send(Buffer.from(sample.data));
  });
}

function normalize(text: string): string {
  const s = text.trim();
  if (!ipaddr.isValid(s)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `source: expected an IPv4 or IPv6 address, got ${JSON.stringify(s.slice(0, 60))}`);
  const a = ipaddr.process(s);
  return a.kind() === 'ipv6' ? (a as ipaddr.IPv6).toRFC5952String() : a.toString();
}

/** The session's story in time order: start, each call, each line said, end. */
export function timeline(s: SessionRecord): TimelineItem[] {
  const items: TimelineItem[] = [{ t: s.startTs, kind: 'start', text: `connection from ${s.src}:${s.sport} to port ${s.dport}` }];
  for (const c of s.calls) {
    items.push({ t: c.ts, kind: 'call', text: `${c.endpoint ?? c.ifaceUuid ?? 'unknown interface'} ${c.operation ?? `opnum ${c.opnum}`}${c.anomalies.length ? ` (${c.anomalies.length} anomalies)` : ''}` });
  }
  for (const e of s.transcript?.entries ?? []) items.push({ t: s.startTs + e.offsetMs, kind: e.dir, text: e.text.length > 200 ? `${e.text.slice(0, 200)}…` : e.text });
  if (s.endTs !== undefined) items.push({ t: s.endTs, kind: 'end', text: `closed: ${s.closeReason ?? 'unknown'}; ${s.bytesIn} bytes in, ${s.bytesOut} out` });
  return items.sort((a, b) => a.t - b.t).slice(0, 500);
}
