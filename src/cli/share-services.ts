// The sharing pieces of a running node, composed from configuration: the TAXII 2.1 server (service and
// route), the STIX options, partners' push targets, and the syslog (CEF) alert sinks.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AlertRouter } from '../detect/alert-router.js';
import type { RoutePlugin } from '../server/route-plugin.js';
import { tokenReader } from '../server/auth.js';
import { taxiiPlugin } from '../server/routes/taxii.js';
import { SyslogSink } from '../share/siem/syslog-sink.js';
import type { StixExportOptions } from '../share/stix/stix-export.js';
import { INBOX_COLLECTION, SIGHTINGS_COLLECTION, type PushTarget } from '../share/taxii/stix-publisher.js';
import { TaxiiService } from '../share/taxii/taxii-service.js';
import type { StixLike } from '../share/taxii/taxii-collection.js';
import { PartnerIntel } from '../share/taxii/partner-intel.js';
import { PartnerPoller } from '../share/taxii/partner-poller.js';
import type { WatchIndicator } from '../model/watch.js';
import type { VigilConfig } from './config.js';

export function sensorName(config: VigilConfig): string {
  return config.share.sensorName !== '' ? config.share.sensorName : hostname();
}

export function stixOptions(config: VigilConfig): StixExportOptions {
  return { organization: config.share.organization, sensor: sensorName(config), tlp: config.share.tlp };
}

export function pushTargets(config: VigilConfig): PushTarget[] {
  return config.share.taxii.push.map((p) => ({
    name: p.name, collectionUrl: p.url,
    auth: p.token !== undefined ? { token: p.token } : { username: p.username ?? '', password: p.password ?? '' },
  }));
}

/** The TAXII service and its route, or undefined when share.taxii.path is `off`. */
export function taxiiRoutes(config: VigilConfig, publicUrl: string, onAdded?: (alias: string, by: string, objects: readonly StixLike[]) => void): { service: TaxiiService; plugin: RoutePlugin } | undefined {
  const path = config.share.taxii.path;
  if (path === 'off') return undefined;
  const service = new TaxiiService({
    title: `${config.share.organization} (Vigil)`, apiRoot: 'vigil', dir: join(config.dataDir, 'taxii'),
    collections: [
      { alias: SIGHTINGS_COLLECTION, title: 'Sightings and indicators', description: 'STIX 2.1 objects of every alert this node raised' },
      { alias: INBOX_COLLECTION, title: 'Partner inbox', description: 'Indicators and sightings partners share with this node' },
    ],
    limits: config.share.taxii.limits,
    ...(onAdded ? { onAdded } : {}),
  });
  return { service, plugin: taxiiPlugin({ service, prefix: path, publicUrl, apiToken: tokenReader(config.dataDir), users: config.share.taxii.users }) };
}

/** One syslog sink per configured collector, added to the router beside webhooks and e-mail. */
export function addShareSinks(router: AlertRouter, config: VigilConfig, logger: Logger): void {
  for (const t of config.alerts.syslog) {
    let ca: string | undefined;
    if (t.caFile !== undefined) {
      try {
        ca = readFileSync(t.caFile, 'utf8');
      } catch (e) {
        throw new AppError('VIGIL_ERR_CONFIG', `alerts.syslog ${t.name}: cannot read caFile ${t.caFile}: ${(e as Error).message}`);
      }
    }
    router.addSink(new SyslogSink({ ...t, ...(ca !== undefined ? { ca } : {}) }, { spoolDir: join(config.dataDir, 'spool'), hostname: sensorName(config), logger }));
  }
}

/**
 * Partners' indicators for the watchlist: those POSTed to the inbox (by principal) and those polled
 * from partners' collections. `update` receives the whole list after every change; stop() ends polling.
 */
export class PartnerWatch {
  readonly intel = new PartnerIntel();
  private poller: PartnerPoller | undefined;
  private update: (list: readonly WatchIndicator[]) => void = () => {};

  /** The TaxiiService's onAdded: objects partners POST to the inbox. */
  readonly onAdded = (alias: string, by: string, objects: readonly StixLike[]): void => {
    if (alias !== INBOX_COLLECTION) return;
    if (this.intel.ingest(by, objects) > 0) this.update(this.intel.list());
  };

  start(config: VigilConfig, service: TaxiiService | undefined, update: (list: readonly WatchIndicator[]) => void, logger: Logger): void {
    this.update = update;
    for (const e of service?.entries(INBOX_COLLECTION) ?? []) this.intel.ingest(e.by ?? INBOX_COLLECTION, [e.obj]);
    update(this.intel.list());
    const targets = config.share.taxii.poll.map((p) => ({
      name: p.name, collectionUrl: p.url, intervalMs: p.intervalSeconds * 1000,
      auth: p.token !== undefined ? { token: p.token } : { username: p.username ?? '', password: p.password ?? '' },
    }));
    if (targets.length === 0) return;
    this.poller = new PartnerPoller({
      targets, dir: join(config.dataDir, 'taxii'), logger,
      onObjects: (partner, objects) => {
        if (this.intel.ingest(partner, objects) > 0) this.update(this.intel.list());
      },
    });
    this.poller.start();
  }

  stop(): void {
    this.poller?.stop();
  }
}
