// Dashboard users: passwords hashed with scrypt (RFC 7914; OWASP Password Storage: N=2^15, r=8, p=1),
// generated passwords printed once, constant-time checks, and the first admin created on first start.

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { USER_ROLES, type UserRecord, type UserRepository, type UserRole } from '../store/users.js';

const PARAMS = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
/** Bounds the work one login makes the node do (scrypt's time grows with the input only a little, but a
 * 1 MB password has no business here). */
export const MAX_PASSWORD_CHARS = 200;
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

function scrypt(password: string, salt: Buffer, opts: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...opts, maxmem: 128 * opts.N * opts.r * 2 };
  return new Promise((resolve, reject) => scryptCb(password, salt, KEY_BYTES, options, (e, key) => (e ? reject(e) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m || password.length > MAX_PASSWORD_CHARS) return false;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N > 1 << 20 || r > 16 || p > 4) return false;
  const want = Buffer.from(m[5], 'base64url');
  const got = await scrypt(password, Buffer.from(m[4], 'base64url'), { N, r, p });
  return got.length === want.length && timingSafeEqual(got, want);
}

/** 18 random bytes as base64url: 144 bits, typeable, shown once. */
export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export class UserService {
  /** A hash to check against when the user does not exist, so timing does not tell names apart. */
  private dummy: Promise<string> | undefined;

  constructor(private readonly repo: UserRepository, private readonly clock: Clock) {}

  /** Create a user with a generated password, returned once. */
  async add(name: string, role: UserRole): Promise<string> {
    if (!USER_NAME_PATTERN.test(name)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `user name: expected 1-64 of A-Z a-z 0-9 . _ @ -, got ${JSON.stringify(name.slice(0, 80))}`);
    if (!USER_ROLES.includes(role)) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `role: expected one of ${USER_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
    const password = newPassword();
    const now = this.clock.now();
    const added = await this.repo.addUser({ name, role, passwordHash: await hashPassword(password), createdAt: now, updatedAt: now });
    if (!added) throw new AppError('VIGIL_ERR_BAD_ARGUMENT', `user ${name} exists already`);
    return password;
  }

  /** Replace a user's password with a generated one, returned once. */
  async resetPassword(name: string): Promise<string> {
    const password = newPassword();
    if (!(await this.repo.updateUser(name, { passwordHash: await hashPassword(password), updatedAt: this.clock.now() }))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no user ${name}`);
    return password;
  }

  async remove(name: string): Promise<void> {
    if (!(await this.repo.removeUser(name))) throw new AppError('VIGIL_ERR_NOT_FOUND', `no user ${name}`);
  }

  list(): Promise<UserRecord[]> {
    return this.repo.listUsers();
  }

  /** The user when name and password match; undefined otherwise (in about the same time either way). */
  async verify(name: string, password: string): Promise<{ name: string; role: UserRole } | undefined> {
    const u = USER_NAME_PATTERN.test(name) ? await this.repo.getUser(name) : undefined;
    if (!u) {
      this.dummy ??= hashPassword(newPassword());
      await verifyPassword(password, await this.dummy);
      return undefined;
    }
    return (await verifyPassword(password, u.passwordHash)) ? { name: u.name, role: u.role } : undefined;
  }

  /** On a node without users, create `admin` and return its one-time password; otherwise undefined. */
  async ensureFirstAdmin(): Promise<string | undefined> {
    if ((await this.repo.listUsers()).length > 0) return undefined;
    try {
      return await this.add('admin', 'admin');
    } catch (e) {
      // Another process created it between the check and the insert.
      if (e instanceof AppError && /exists already/.test(e.message)) return undefined;
      throw e;
    }
  }
}
