// The persistence of dashboard users (name, role, password hash), as an interface; SQLite implements
// it in sqlite/user-sqlite-store.ts. Hashing and checking passwords is the server's (server/users.ts).

export type UserRole = 'admin' | 'analyst' | 'viewer';

export const USER_ROLES: readonly UserRole[] = ['admin', 'analyst', 'viewer'];

export interface UserRecord {
  readonly name: string;
  readonly role: UserRole;
  /** `scrypt$N$r$p$salt$hash` (base64url); never the password. */
  readonly passwordHash: string;
  /** ms since epoch. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UserRepository {
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** false when a user of that name exists already (nothing changed). */
  addUser(u: UserRecord): Promise<boolean>;
  /** false when no such user. */
  updateUser(name: string, change: { passwordHash?: string; role?: UserRole; updatedAt: number }): Promise<boolean>;
  /** false when no such user. */
  removeUser(name: string): Promise<boolean>;
}
