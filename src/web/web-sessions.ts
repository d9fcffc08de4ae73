// Dashboard login sessions: a random session id in an HttpOnly SameSite=Strict cookie maps to the
// signed-in user and that session's CSRF token (synchronizer token pattern, OWASP CSRF cheat sheet).
// Held in memory by the dashboard object (a restart signs everyone out); bounded in count and age.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type WebRole = 'admin' | 'analyst' | 'viewer';

export interface WebUser {
  readonly name: string;
  readonly role: WebRole;
}

export interface WebSession {
  readonly id: string;
  readonly user: WebUser;
  /** Sent back in every state-changing form (`_csrf`) or header (`x-csrf-token`). */
  readonly csrf: string;
  readonly createdAt: number;
  lastSeen: number;
}

export interface WebSessionLimits {
  /** Sessions kept at once; the least recently used goes first. */
  readonly maxSessions: number;
  /** A session unused this long is gone. */
  readonly idleMs: number;
  /** A session this old is gone, used or not. */
  readonly maxAgeMs: number;
  /** Failed logins allowed per client address per window before 429. */
  readonly maxFailedLogins: number;
  readonly failedLoginWindowMs: number;
  /** Client addresses whose failures are remembered (oldest forgotten first). */
  readonly maxTrackedClients: number;
}

export const DEFAULT_WEB_SESSION_LIMITS: WebSessionLimits = {
  maxSessions: 1000,
  idleMs: 8 * 3_600_000,
  maxAgeMs: 24 * 3_600_000,
  maxFailedLogins: 5,
  failedLoginWindowMs: 60_000,
  maxTrackedClients: 10_000,
};

const newId = (): string => randomBytes(32).toString('base64url');

/** Constant-time equality of two strings of any length (hash both, then compare digests). */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export class WebSessions {
  // Map iteration order is insertion order: re-inserting on use keeps the least recently used first.
  private readonly sessions = new Map<string, WebSession>();
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly now: () => number, private readonly limits: WebSessionLimits = DEFAULT_WEB_SESSION_LIMITS) {}

  create(user: WebUser): WebSession {
    const t = this.now();
    while (this.sessions.size >= this.limits.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    const s: WebSession = { id: newId(), user, csrf: newId(), createdAt: t, lastSeen: t };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session for a cookie value, refreshed; undefined when unknown or expired. */
  get(id: string | undefined): WebSession | undefined {
    if (id === undefined || id.length > 100) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeen > this.limits.idleMs || t - s.createdAt > this.limits.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeen = t;
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  destroy(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** true when this client may try to log in now (fewer than maxFailedLogins failures in the window). */
  mayTryLogin(client: string): boolean {
    return this.recentFailures(client).length < this.limits.maxFailedLogins;
  }

  recordFailedLogin(client: string): void {
    const list = this.recentFailures(client);
    list.push(this.now());
    this.failures.delete(client);
    this.failures.set(client, list);
    while (this.failures.size > this.limits.maxTrackedClients) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  private recentFailures(client: string): number[] {
    const since = this.now() - this.limits.failedLoginWindowMs;
    const list = (this.failures.get(client) ?? []).filter((t) => t > since);
    if (list.length === 0) this.failures.delete(client);
    return list;
  }
}

/** What each role may do; the token's holder is an admin. */
export function mayWrite(user: WebUser): boolean {
  return user.role === 'admin' || user.role === 'analyst';
}
