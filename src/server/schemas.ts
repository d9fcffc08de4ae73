// JSON Schemas (draft-07, as Fastify and OpenAPI 3 use them) for the API's requests and responses,
// mirroring src/model; response schemas also drive fast-json-stringify, so every field is listed.

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const strList = { type: 'array', items: str } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['statusCode', 'error', 'message'],
  properties: { statusCode: int, code: str, error: str, message: str },
} as const;

export const anomalySchema = {
  $id: 'Anomaly',
  type: 'object',
  required: ['name', 'proto'],
  properties: { name: str, proto: str, detail: str, offset: int, callId: int },
} as const;

export const activationSchema = {
  $id: 'ActivationArgs',
  type: 'object',
  required: ['method'],
  properties: {
    method: { type: 'string', enum: ['RemoteActivation', 'RemoteCreateInstance', 'RemoteGetClassObject'] },
    clsid: str, objectName: str, fileName: str, serverName: str, uncServer: str, uncServerLength: int, uncField: str,
    iids: strList, protseqs: { type: 'array', items: int }, sizeIssues: strList, properties: strList,
  },
} as const;

export const callSchema = {
  $id: 'Call',
  type: 'object',
  required: ['ts', 'callId', 'ctxId', 'opnum', 'reqFrags', 'respFrags', 'reqStubLen', 'respStubLen', 'anomalies'],
  properties: {
    ts: num, callId: int, ctxId: int, ifaceUuid: str, ifaceVersion: str, endpoint: str, opnum: int, operation: str,
    objectUuid: str, reqFrags: int, respFrags: int, reqStubLen: int, respStubLen: int, rttMs: num, faultStatus: int,
    faultName: { type: 'string', description: 'name of faultStatus (e.g. nca_op_rng_error), when known' },
    authType: int, authLevel: int, sealed: { type: 'boolean', description: 'sent at packet privacy: stub encrypted, not decoded' }, activation: { $ref: 'ActivationArgs#' }, anomalies: { type: 'array', items: { $ref: 'Anomaly#' } },
  },
} as const;

const sessionCommon = {
  id: str, sensor: str, proto: { type: 'string', enum: ['tcp', 'udp'] }, src: str, sport: int, dst: str, dport: int,
  startTs: { type: 'number', description: 'ms since epoch' }, startTime: { type: 'string', format: 'date-time' },
  endTs: num, bytesIn: int, bytesOut: int, firstBytesHex: str, service: str, closeReason: str,
  limitsHit: strList, anomalies: { type: 'array', items: { $ref: 'Anomaly#' } }, payloadSha256: strList,
} as const;
const sessionRequired = ['id', 'sensor', 'proto', 'src', 'sport', 'dst', 'dport', 'startTs', 'bytesIn', 'bytesOut', 'limitsHit', 'anomalies'] as const;

export const sessionSummarySchema = {
  $id: 'SessionSummary',
  type: 'object',
  required: [...sessionRequired, 'callCount', 'anomalyCount'],
  properties: { ...sessionCommon, callCount: int, anomalyCount: int },
} as const;

/** A shell session's transcript; `text` is already escaped by the sensor (core/safe-text), and stays
 * text: a client rendering it as HTML must still escape it (it may hold `<script>` typed by a peer). */
const transcriptSchema = {
  type: 'object',
  required: ['entries', 'entriesCut', 'bytesCut'],
  properties: {
    entries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['dir', 'offsetMs', 'text'],
        properties: { dir: { type: 'string', enum: ['in', 'out'] }, offsetMs: { type: 'number', description: 'ms since the session started' }, text: str, bytesCut: int },
      },
    },
    entriesCut: { type: 'integer', description: 'entries not kept (sensor limits maxTranscriptEntries, maxTranscriptChars)' },
    bytesCut: { type: 'integer', description: 'bytes not kept, whole entries and cut tails' },
  },
} as const;

export const sessionSchema = {
  $id: 'Session',
  type: 'object',
  required: [...sessionRequired, 'calls'],
  properties: { ...sessionCommon, calls: { type: 'array', items: { $ref: 'Call#' } }, transcript: transcriptSchema },
} as const;

export const portStatsSchema = {
  $id: 'PortStatsBucket',
  type: 'object',
  required: ['bucketStart', 'bucketTime', 'port', 'count', 'uniqueSources'],
  properties: { bucketStart: num, bucketTime: { type: 'string', format: 'date-time' }, port: int, count: int, uniqueSources: int },
} as const;

/** Shared schemas, added to the app once so routes and the OpenAPI document refer to them by $ref. */
export const SHARED_SCHEMAS = [errorSchema, anomalySchema, activationSchema, callSchema, sessionSummarySchema, sessionSchema, portStatsSchema];

/** Error responses every authenticated route can give. */
export const authErrors = {
  401: { $ref: 'Error#' },
} as const;

/** A time argument: RFC 3339 date-time, epoch ms, or a duration before now (15m, 24h, 7d). */
export const timeParam = { type: 'string', maxLength: 40, description: 'RFC 3339 date-time, epoch ms, or a duration before now (15m, 24h, 7d)' } as const;
