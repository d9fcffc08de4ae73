// JSON Schemas of assets and findings (src/model/asset.ts) for /api/v1/assets and /api/v1/findings;
// response schemas drive fast-json-stringify, so every field is listed.

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const strList = { type: 'array', items: str } as const;
const detail = { type: 'object', additionalProperties: { anyOf: [str, num] } } as const;

export const FINDING_STATUS_ENUM = ['open', 'fixed', 'risk-accepted', 'false-positive', 'reopened'] as const;

const compromise = {
  type: 'object', required: ['alertId', 'rule', 'severity', 'ts', 'address', 'cves'],
  properties: { alertId: str, rule: str, severity: str, ts: num, address: str, cves: strList },
} as const;

export const assetSchema = {
  $id: 'Asset',
  type: 'object',
  required: ['id', 'addresses', 'names', 'macs', 'cpes', 'services', 'hotfixes', 'programs', 'tags', 'sources', 'firstSeen', 'lastSeen', 'facts'],
  properties: {
    id: str, addresses: strList, names: strList, macs: strList, os: str, cpes: strList, services: strList, hotfixes: strList,
    programs: strList, owner: str, tags: strList, sources: strList, firstSeen: num, lastSeen: num, compromised: compromise,
    facts: {
      type: 'array',
      description: 'every fact with its provenance: which source said it, from which file or scan, first and last seen',
      items: {
        type: 'object', required: ['kind', 'value', 'source', 'firstSeen', 'lastSeen'],
        properties: { kind: str, value: str, source: str, origin: str, detail, firstSeen: num, lastSeen: num },
      },
    },
  },
} as const;

export const findingSchema = {
  $id: 'Finding',
  type: 'object',
  required: ['id', 'assetId', 'asset', 'vulnId', 'status', 'severity', 'priority', 'dueDate', 'overdue', 'firstSeen', 'lastSeen', 'openedAt', 'evidence', 'history', 'updatedAt'],
  properties: {
    id: str, assetId: str, asset: { type: 'string', description: 'first address or name of the asset' }, vulnId: str, title: str,
    status: { type: 'string', enum: FINDING_STATUS_ENUM },
    severity: { type: 'string', enum: ['critical', 'high', 'medium', 'low', 'unknown'] },
    cvss: num, epss: num, kevDueDate: str,
    priority: { type: 'object', required: ['score', 'label', 'reasons'], properties: { score: num, label: str, reasons: strList } },
    owner: str, ownerSetBy: { type: 'string', enum: ['inventory', 'person'] }, dueDate: str, overdue: { type: 'boolean' }, firstSeen: num, lastSeen: num, openedAt: num, fixedAt: num, closedBy: str,
    evidence: {
      type: 'array',
      items: { type: 'object', required: ['at', 'kind', 'says', 'source', 'detail'], properties: { at: num, kind: str, says: str, source: str, detail: str } },
    },
    history: {
      type: 'array',
      items: { type: 'object', required: ['at', 'to', 'by'], properties: { at: num, from: str, to: str, by: str, note: str } },
    },
    updatedAt: num,
  },
} as const;
