// What the dashboard reads and writes, as interfaces only (DESIGN: web talks to the store interface
// and the module ports, never to a concrete backend); the CLI's composition root passes the objects.

import type { AlertRecord } from '../model/alert.js';
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { AlertRepository } from '../detect/alert-store-port.js';
import type { KbStorePort } from '../kb/kb-store-port.js';
import type { ExposureService } from '../exposure/exposure-service.js';
import type { ExposureStore } from '../exposure/exposure-store-port.js';
import type { Severity } from '../model/anomaly.js';
import type { Comment } from '../model/comment.js';
import type { CommentRepository } from '../store/comments.js';
import type { Store } from '../store/store.js';

export interface RuleCount {
  readonly detector: string;
  readonly rule: string;
  readonly count: number;
  readonly maxSeverity: Severity;
  readonly lastTs: number;
}

/** Alerts as the dashboard needs them; `ruleCounts` (one grouped query) when the store offers it. */
export type WebAlerts = AlertRepository & {
  ruleCounts?(q: { acknowledged?: boolean; since?: number }): Promise<RuleCount[]>;
};

/** One outbreak forecast, run on request (the CLI wires src/outbreak; web does not import it). */
export interface WhatIfRunner {
  readonly presets: readonly { readonly name: string; readonly description: string }[];
  run(preset: string): Promise<WhatIfResult>;
}

export interface WhatIfResult {
  readonly preset: string;
  /** Summary lines (label, value) as the simulator reports them. */
  readonly summary: readonly { readonly label: string; readonly value: string }[];
  /** Infected hosts over simulated time (seconds). */
  readonly curve: readonly { readonly t: number; readonly v: number }[];
}

/** Assets and findings: reads through exposure's store port, a person's decision through the service
 * (`updateFinding`: the same road as `vigil findings set` and PATCH /api/v1/findings/{id}, kept in the
 * finding's history). Types only: the composition root passes the objects. */
export interface WebExposure {
  readonly store: Pick<ExposureStore, 'getAsset' | 'listAssets' | 'getFinding' | 'listFindings' | 'findingCounts'>;
  readonly service: Pick<ExposureService, 'updateFinding'>;
}

export interface WebDeps {
  readonly store: Pick<Store, 'listSessions' | 'getSession' | 'portStats'> & Partial<Pick<Store, 'getPayload' | 'sizeBytes'>>;
  readonly alerts: WebAlerts;
  readonly comments: CommentRepository;
  readonly kb?: KbStorePort;
  /** The node's metrics registry: sensor health on the overview. */
  readonly registry?: Registry;
  /** The API token now (rotations take effect): signing in with it makes an admin session; the
   * bearer header works on every page as well, for scripts. */
  readonly token: () => string;
  /** Dashboard users (`vigil users`): the user when name and password match. */
  readonly verifyLogin?: (name: string, password: string) => Promise<{ name: string; role: 'admin' | 'analyst' | 'viewer' } | undefined>;
  readonly clock: Clock;
  readonly whatIf?: WhatIfRunner;
  /** Assets and findings (the Exposure page, the overview's exposure card, threads on findings). */
  readonly exposure?: WebExposure;
  /** Told of each new comment (the composition root sends it to the webhooks). */
  readonly onComment?: (c: Comment) => void;
  /** An analyst escalated an alert (first time only): the node tells the receivers. */
  readonly onEscalated?: (a: AlertRecord) => void;
}
