// The slice of the Store that the built-in routes read, so routes depend on the store interface
// only (and tests may pass any object that has these three methods; without getPayload a session's
// raw bytes answer 404).

import type { Store } from '../store/store.js';

export type SessionReader = Pick<Store, 'listSessions' | 'getSession' | 'portStats'> & Partial<Pick<Store, 'getPayload'>>;
