// The CSAF provider directory kept built between requests (CSAF 2.0 section 7.1): rebuilt only when the
// store's advisory revision moves (a publish or edit, by the node or by `vigil advisory` in another process).

import type { KbStorePort } from '../kb-store-port.js';
import { AdvisoryService } from './advisory-service.js';
import type { ProviderDirectory, ProviderOptions } from './csaf-provider.js';

/** One per served app: the directory is public, so rebuilding it per request let unauthenticated load
 * spend the node's CPU (hashing and serialising every advisory) that the sensor needs. */
export class CsafDirectoryCache {
  private readonly service: AdvisoryService;
  private current: { readonly revision: string; readonly directory: Promise<ProviderDirectory> } | undefined;

  constructor(private readonly store: KbStorePort, private readonly opts: ProviderOptions) {
    this.service = new AdvisoryService(store);
  }

  async get(): Promise<ProviderDirectory> {
    // Read before the advisories: a write in between makes the next request rebuild once more, never
    // leaves a directory older than its revision.
    const revision = await this.store.advisoryRevision();
    let entry = this.current;
    if (entry?.revision !== revision) {
      // The promise is cached, not the result, so requests arriving during a rebuild share it.
      entry = { revision, directory: this.service.directory(this.opts) };
      this.current = entry;
      const built = entry;
      // A failed build is not kept: the next request tries again.
      built.directory.catch(() => { if (this.current === built) this.current = undefined; });
    }
    return entry.directory;
  }
}
