// Exposure: findings (asset x vulnerability) with owners and due dates, overdue first, and the asset
// inventory; filters by status, owner, overdue and service; bulk status changes by analysts and admins
// through the exposure service (the road `vigil findings set` and PATCH /api/v1/findings take, so each
// change lands in the finding's history with the person's name); one finding with its evidence,
// history and discussion thread.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../core/errors.js';
import { assetView } from '../../exposure/asset-merge.js';
import { isoDay } from '../../exposure/finding-policy.js';
import type { AssetQuery, AssetView, Finding, FindingQuery, FindingStatus } from '../../model/asset.js';
import { mayWrite } from '../web-sessions.js';
import type { WebContext } from '../web-context.js';
import type { WebExposure } from '../web-deps.js';

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'reopened', 'fixed', 'risk-accepted', 'false-positive'];
/** What the status filter offers: `unresolved` (open or reopened, the default worklist) and `all` besides each status. */
const STATUS_FILTERS = ['unresolved', ...FINDING_STATUSES, 'all'] as const;
type StatusFilter = (typeof STATUS_FILTERS)[number];

/** The service whose exposure the overview counts: the RPC endpoint mapper (Blaster's way in). */
export const RPC_SERVICE = 'tcp/135';

/** Bounds of the page and of one bulk change (hostile or careless posts stay small). */
export const EXPOSURE_PAGE_LIMITS = {
  findingsPerPage: 100,
  assetsPerPage: 100,
  /** Findings one bulk change may name; the page lists at most findingsPerPage at once. */
  maxBulkIds: 500,
  maxOwnerChars: 256,
  maxNoteChars: 2000,
} as const;

const findingId = { type: 'string', pattern: '^[0-9a-f]{16}$' } as const;
const yesNo = { type: 'string', enum: ['yes', ''] } as const;

interface ListQuery {
  view?: 'findings' | 'assets'; status?: StatusFilter; owner?: string; overdue?: 'yes' | ''; service?: string; vulnerable?: 'yes' | '';
  asset?: string; cve?: string; offset?: number; changed?: number;
}

/** A bulk change names its findings (`ids`, the checked rows) or takes every finding the page it
 * came from lists (`scope=matching`: the filters of `back`, at most maxBulkIds, and only if as many
 * match as the page showed, `expect`: a list that changed meanwhile changes nothing). */
interface BulkBody { ids?: string[]; scope?: 'matching' | ''; expect?: number; status?: FindingStatus | ''; owner?: string; note?: string; back?: string; _csrf?: string }

const CVE_FILTER = /^[A-Za-z0-9._:-]{0,64}$/;
const ASSET_FILTER = /^([0-9a-f]{16})?$/;

export function exposureRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get<{ Querystring: ListQuery }>('/exposure', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          view: { type: 'string', enum: ['findings', 'assets'], default: 'findings' },
          status: { type: 'string', enum: STATUS_FILTERS, default: 'unresolved' },
          owner: { type: 'string', maxLength: EXPOSURE_PAGE_LIMITS.maxOwnerChars },
          overdue: yesNo, vulnerable: yesNo,
          service: { type: 'string', maxLength: 16, pattern: '^((tcp|udp)/[0-9]{1,5})?$' },
          asset: { type: 'string', pattern: ASSET_FILTER.source },
          cve: { type: 'string', maxLength: 64, pattern: CVE_FILTER.source },
          offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
          changed: { type: 'integer', minimum: 0, maximum: EXPOSURE_PAGE_LIMITS.maxBulkIds },
        },
      },
    },
  }, async (request, reply) => {
    const exposure = ctx.deps.exposure;
    if (!exposure) return ctx.pages.send(request, reply, 'exposure', 'exposure', 'Exposure', { absent: true });
    const f = { ...request.query, view: request.query.view ?? 'findings', status: request.query.status ?? 'unresolved', offset: request.query.offset ?? 0 };
    const today = isoDay(ctx.deps.clock.now());
    const owner = f.owner?.trim() || undefined;
    const common = { filters: f, today, back: request.url.slice(0, 2000), canWrite: request.webUser !== undefined && mayWrite(request.webUser), statuses: FINDING_STATUSES, statusFilters: STATUS_FILTERS };
    if (f.view === 'assets') {
      const q: AssetQuery = {
        ...(owner !== undefined ? { owner } : {}), ...(f.service ? { service: f.service } : {}),
        ...(f.vulnerable === 'yes' ? { findingStatus: ['open', 'reopened'] } : {}), ...(f.overdue === 'yes' ? { overdueOn: today } : {}),
        limit: EXPOSURE_PAGE_LIMITS.assetsPerPage, offset: f.offset,
      };
      const { total, items } = await exposure.store.listAssets(q);
      return ctx.pages.send(request, reply, 'exposure', 'exposure', 'Exposure', {
        ...common, total, assets: items.map(assetView), pageSize: EXPOSURE_PAGE_LIMITS.assetsPerPage, fragment: 'exposure-assets',
      });
    }
    const q: FindingQuery = { ...findingFilter(f, today), overdueFirstOn: today, limit: EXPOSURE_PAGE_LIMITS.findingsPerPage, offset: f.offset };
    const [{ total, items }, asset] = await Promise.all([exposure.store.listFindings(q), f.asset ? exposure.store.getAsset(f.asset) : Promise.resolve(undefined)]);
    const [labels, comments] = await Promise.all([assetLabels(exposure, items), ctx.deps.comments.countComments('finding', items.map((x) => x.id))]);
    return ctx.pages.send(request, reply, 'exposure', 'exposure', 'Exposure', {
      ...common, total, findings: items, labels, comments, asset: asset ? assetView(asset) : undefined,
      pageSize: EXPOSURE_PAGE_LIMITS.findingsPerPage, maxBulk: EXPOSURE_PAGE_LIMITS.maxBulkIds, fragment: 'exposure-findings',
    });
  });

  app.get<{ Params: { id: string } }>('/exposure/findings/:id', { schema: { params: { type: 'object', required: ['id'], properties: { id: findingId } } } }, async (request, reply) => {
    const exposure = ctx.deps.exposure;
    const finding = await exposure?.store.getFinding(request.params.id);
    if (!exposure || !finding) throw new AppError('VIGIL_ERR_NOT_FOUND', `no finding ${request.params.id}`);
    const [asset, thread] = await Promise.all([exposure.store.getAsset(finding.assetId), ctx.deps.comments.listComments('finding', finding.id)]);
    const view = asset ? assetView(asset) : undefined;
    return ctx.pages.send(request, reply, 'finding', 'exposure', `${finding.vulnId} on ${labelOf(view, finding.assetId)}`.slice(0, 120), {
      finding, asset: view, label: labelOf(view, finding.assetId), today: isoDay(ctx.deps.clock.now()), statuses: FINDING_STATUSES,
      thread, canWrite: request.webUser !== undefined && mayWrite(request.webUser), subject: 'finding', subjectId: finding.id,
      back: `/exposure/findings/${finding.id}`,
    });
  });

  app.post<{ Body: BulkBody }>('/exposure/findings/bulk', {
    schema: {
      body: {
        type: 'object', additionalProperties: false,
        properties: {
          ids: { type: 'array', items: findingId, minItems: 1, maxItems: EXPOSURE_PAGE_LIMITS.maxBulkIds },
          scope: { type: 'string', enum: ['matching', ''] },
          expect: { type: 'integer', minimum: 0, maximum: 10_000_000 },
          status: { type: 'string', enum: [...FINDING_STATUSES, ''] },
          owner: { type: 'string', maxLength: EXPOSURE_PAGE_LIMITS.maxOwnerChars },
          note: { type: 'string', maxLength: EXPOSURE_PAGE_LIMITS.maxNoteChars },
          back: { type: 'string', maxLength: 2000 }, _csrf: { type: 'string', maxLength: 100 },
        },
      },
    },
  }, async (request, reply) => bulkChange(ctx, request, reply));
}

async function bulkChange(ctx: WebContext, request: FastifyRequest<{ Body: BulkBody }>, reply: FastifyReply): Promise<FastifyReply> {
  const user = request.webUser;
  if (!user || !mayWrite(user)) return reply.code(403).type('text/plain').send('your role may not change findings');
  const exposure = ctx.deps.exposure;
  if (!exposure) throw new AppError('VIGIL_ERR_NOT_FOUND', 'no exposure data on this node');
  const b = request.body;
  const owner = b.owner?.trim() || undefined;
  const note = b.note?.trim() || undefined;
  const status = b.status || undefined;
  if (status === undefined && owner === undefined && note === undefined) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'choose a status, an owner or a note');
  const ids = b.scope === 'matching' ? await matchingIds(ctx, exposure, b) : [...new Set(b.ids ?? [])];
  if (ids.length === 0) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', 'select at least one finding');
  // Every finding must exist before any is changed: a stale page changes nothing rather than half.
  for (const id of ids) if (!(await exposure.store.getFinding(id))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no finding ${id}`);
  for (const id of ids) {
    await exposure.service.updateFinding(id, { ...(status ? { status } : {}), ...(owner !== undefined ? { owner } : {}), ...(note !== undefined ? { note } : {}), by: user.name });
  }
  const back = safeBack(b.back);
  return reply.redirect(`${back}${back.includes('?') ? '&' : '?'}changed=${ids.length}`, 303);
}

/** The findings the list at `back` shows, all pages of it: refused when more than a bulk change
 * may take, or when their number is not the one the page showed (`expect`). */
async function matchingIds(ctx: WebContext, exposure: WebExposure, b: BulkBody): Promise<string[]> {
  const back = b.back ?? '';
  if (!/^\/exposure(\?[^#\s]*)?$/.test(back)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', '"all matching" needs the Exposure list it came from (back)');
  const f = listFilter(new URLSearchParams(back.slice(back.indexOf('?') + 1 || back.length)));
  const max = EXPOSURE_PAGE_LIMITS.maxBulkIds;
  const { total, items } = await exposure.store.listFindings({ ...findingFilter(f, isoDay(ctx.deps.clock.now())), limit: max, offset: 0 });
  if (total > max) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `${total} findings match; one bulk change takes at most ${max}: narrow the filter`);
  if (b.expect !== undefined && b.expect !== total) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `the list changed: ${total} finding(s) match now, the page showed ${b.expect}; nothing changed, reload it`);
  return items.map((x) => x.id);
}

/** The filters of an Exposure list URL, checked as the page's own query string is. */
function listFilter(p: URLSearchParams): Pick<ListQuery, 'status' | 'owner' | 'overdue' | 'asset' | 'cve'> {
  const bad = (what: string): never => {
    throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `"all matching": bad ${what} in the list's filters`);
  };
  if ((p.get('view') ?? 'findings') !== 'findings') bad('view (findings only)');
  const status = (p.get('status') ?? 'unresolved') as StatusFilter;
  if (!STATUS_FILTERS.includes(status)) bad('status');
  const owner = p.get('owner') ?? '';
  if (owner.length > EXPOSURE_PAGE_LIMITS.maxOwnerChars) bad('owner');
  const overdue = p.get('overdue') ?? '';
  if (overdue !== 'yes' && overdue !== '') bad('overdue');
  const asset = p.get('asset') ?? '';
  if (!ASSET_FILTER.test(asset)) bad('asset');
  const cve = p.get('cve') ?? '';
  if (!CVE_FILTER.test(cve)) bad('cve');
  return { status, owner, overdue: overdue as 'yes' | '', asset, cve };
}

/** A list's filters as a store query (without order and paging). */
function findingFilter(f: Pick<ListQuery, 'status' | 'owner' | 'overdue' | 'asset' | 'cve'>, today: string): FindingQuery {
  const owner = f.owner?.trim() || undefined;
  return {
    ...statusQuery(f.status ?? 'unresolved'), ...(owner !== undefined ? { owner } : {}), ...(f.overdue === 'yes' ? { overdueOn: today } : {}),
    ...(f.asset ? { assetId: f.asset } : {}), ...(f.cve ? { vulnId: f.cve.toUpperCase() } : {}),
  };
}

/** Where the form returns to: an Exposure page of this node, never elsewhere (no open redirect). */
function safeBack(back: string | undefined): string {
  if (back === undefined || !/^\/exposure(\/findings\/[0-9a-f]{16})?(\?[^#\s]*)?$/.test(back)) return '/exposure';
  return back.replace(/([?&])changed=\d*&?/g, '$1').replace(/[?&]$/, '');
}

function statusQuery(s: StatusFilter): Pick<FindingQuery, 'status'> {
  if (s === 'all') return {};
  if (s === 'unresolved') return { status: ['open', 'reopened'] };
  return { status: [s] };
}

/** "10.0.0.7", else a host name, a MAC or the id: how lists name an asset. */
function labelOf(v: AssetView | undefined, id: string): string {
  return v?.addresses[0] ?? v?.names[0] ?? v?.macs[0] ?? id;
}

/** Each finding's asset as people name it (its best name or address), for lists of findings. */
export async function assetLabels(exposure: WebExposure, findings: readonly Finding[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of new Set(findings.map((f) => f.assetId))) {
    const a = await exposure.store.getAsset(id);
    out.set(id, labelOf(a ? assetView(a) : undefined, id));
  }
  return out;
}
