// Coded errors for Vigil's own failures (bugs, bad configuration, bad files), one registry.
// Peer misbehaviour is never an AppError: it becomes an anomaly (data). Pattern: ws WS_ERR_*, Fastify FST_ERR_*.

export const ERROR_CODES = {
  VIGIL_ERR_INTERNAL: 'internal invariant violated',
  VIGIL_ERR_TRUNCATED: 'read past the end of a bounded buffer',
  VIGIL_ERR_BAD_ARGUMENT: 'invalid argument',
  VIGIL_ERR_CONFIG: 'invalid configuration',
  VIGIL_ERR_BAD_FILE: 'file cannot be read or parsed',
  VIGIL_ERR_LIMIT: 'a configured limit was exceeded',
  VIGIL_ERR_STORE: 'store operation failed',
  VIGIL_ERR_SCOPE: 'target outside the configured scope',
  VIGIL_ERR_BIND_PRIVILEGED: 'cannot bind a privileged port',
  VIGIL_ERR_NOT_FOUND: 'not found',
  VIGIL_ERR_VALIDATION: 'document failed validation',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message ?? ERROR_CODES[code], options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function isAppError(e: unknown, code?: ErrorCode): e is AppError {
  return e instanceof AppError && (code === undefined || e.code === code);
}

/** Thrown by ByteReader when a read would cross the reader's end. Cheap (no stack capture) because
 * hostile input makes it common; decoders catch it and turn it into an anomaly or a rejection. */
export class TruncatedError extends Error {
  readonly code = 'VIGIL_ERR_TRUNCATED' as const;
  readonly offset: number;
  readonly wanted: number;
  constructor(offset: number, wanted: number, end: number) {
    super(`truncated: need ${wanted} byte(s) at offset ${offset}, end is ${end}`);
    this.offset = offset;
    this.wanted = wanted;
  }
}
// Skip stack capture for the hot, attacker-driven error path.
Object.defineProperty(TruncatedError.prototype, 'stack', { value: '', writable: true });
