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
export function taxiiRoutes(config: VigilConfig, publicUrl: string): { service: TaxiiService; plugin: RoutePlugin } | undefined {
  const path = config.share.taxii.path;
  if (path === 'off') return undefined;
  const service = new TaxiiService({
    title: `${config.share.organization} (Vigil)`, apiRoot: 'vigil', dir: join(config.dataDir, 'taxii'),
    collections: [
      { alias: SIGHTINGS_COLLECTION, title: 'Sightings and indicators', description: 'STIX 2.1 objects of every alert this node raised' },
      { alias: INBOX_COLLECTION, title: 'Partner inbox', description: 'Indicators and sightings partners share with this node' },
    ],
    limits: config.share.taxii.limits,
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
