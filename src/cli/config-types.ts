// The shape of Vigil's configuration once loaded and checked (config.ts builds it; config-keys.ts
// lists the keys, their types and defaults).

import type { SyslogFacility } from '../share/siem/syslog-format.js';
import type { LOG_LEVELS, PERSONA_OS, SEVERITIES } from './config-keys.js';

export type PersonaOs = (typeof PERSONA_OS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AlertSeverity = (typeof SEVERITIES)[number];

export interface WebhookConfig {
  readonly name: string;
  readonly url: string;
  readonly secret: string;
}

export interface SyslogConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly facility?: SyslogFacility;
  readonly minSeverity?: AlertSeverity;
  readonly caFile?: string;
}

export interface TaxiiUserConfig {
  readonly name: string;
  readonly token: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

export interface TaxiiPushConfig {
  readonly name: string;
  readonly url: string;
  readonly token?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface TaxiiPollConfig extends TaxiiPushConfig {
  readonly intervalSeconds: number;
}

export interface ShareConfig {
  readonly organization: string;
  readonly sensorName: string;
  readonly tlp: 'white' | 'green' | 'amber' | 'red';
  readonly taxii: {
    readonly path: string;
    readonly users: readonly TaxiiUserConfig[];
    readonly push: readonly TaxiiPushConfig[];
    readonly poll: readonly TaxiiPollConfig[];
    readonly limits: Readonly<Record<string, number>>;
  };
}

export interface AlertsConfig {
  readonly minSeverity: AlertSeverity;
  /** Detector name -> suppression window in seconds. */
  readonly suppressSeconds: Readonly<Record<string, number>>;
  readonly webhooks: readonly WebhookConfig[];
  readonly syslog: readonly SyslogConfig[];
  readonly email: { readonly smtpUrl: string; readonly from: string; readonly to: readonly string[]; readonly minSeverity: AlertSeverity };
}

export interface PersonaConfig {
  readonly hostname: string;
  readonly domain: string;
  /** Addresses the persona claims (ServerAlive2 bindings, towers); empty = the listening address. */
  readonly addresses: readonly string[];
  readonly os: PersonaOs;
  readonly rpcssPatch: 'undisclosed' | 'none' | 'KB823980' | 'KB824146';
}

export interface VigilConfig {
  readonly dataDir: string;
  readonly http: { readonly host: string; readonly port: number; readonly publicUrl: string };
  readonly csaf: { readonly publisherName: string; readonly publisherNamespace: string; readonly publisherCategory: string };
  readonly feeds: {
    readonly intervalMinutes: number; readonly kevUrl: string; readonly epssUrl: string; readonly epssJump: number;
    readonly nvdUrl: string; readonly nvdApiKey: string; readonly csafProviders: readonly string[];
  };
  readonly subscriptions: { readonly vendors: readonly string[]; readonly products: readonly string[]; readonly keywords: readonly string[] };
  readonly scan: {
    readonly intervalMinutes: number; readonly targets: readonly string[]; readonly scopeFile: string;
    readonly ports: readonly number[]; readonly rpcPorts: readonly number[]; readonly checks: readonly string[];
  };
  readonly sensor: {
    readonly ports: readonly number[];
    readonly portOffset: number;
    readonly persona: PersonaConfig;
    /** Passed through to the sensor's resolveLimits, which validates names and ranges. */
    readonly limits: Readonly<Record<string, number>>;
  };
  readonly store: {
    readonly retention: { readonly maxAgeDays: number; readonly maxSizeMb: number };
    /** SQLite synchronous mode: `full` survives power loss, `normal` survives process crashes. */
    readonly synchronous: 'full' | 'normal';
    readonly backend: 'sqlite' | 'postgres';
    /** PostgreSQL URL (backend postgres). */
    readonly url: string;
  };
  readonly fleet: FleetConfig;
  readonly alerts: AlertsConfig;
  readonly share: ShareConfig;
  readonly log: { readonly level: LogLevel; readonly format: 'auto' | 'pretty' | 'json' };
  readonly detect: DetectConfig;
  readonly exposure: ExposureConfig;
  /** The file that was read, if any (for messages). */
  readonly configFile?: string;
}

/** The fleet.* keys: this node's role in a sensor network and how it reaches the NATS server. */
export interface FleetConfig {
  readonly role: 'single' | 'sensor' | 'hub';
  readonly url: string;
  readonly sensorName: string;
  readonly user: string;
  readonly password: string;
  readonly token: string;
  readonly nkeySeedFile: string;
  readonly tlsCaFile: string;
  readonly spoolMaxMb: number;
  readonly streamMaxAgeDays: number;
  readonly silentAfterSeconds: number;
  readonly expectedSensors: readonly string[];
}

/** The detect.* keys: the allowlist, and each detector's thresholds by name (checked by its resolveLimits). */
export interface DetectConfig {
  readonly allowlist: readonly string[];
  readonly surge: Readonly<Record<string, number>>;
  readonly trw: Readonly<Record<string, number>>;
  readonly threshold: Readonly<Record<string, number>>;
  readonly recon: Readonly<Record<string, number>>;
  readonly sweep: Readonly<Record<string, number>>;
  readonly exploit: Readonly<Record<string, number>> & { readonly minAnomalySeverity?: AlertSeverity };
}

/** The exposure.* keys: days to fix per severity, and the inventory importers' limits by name. */
export interface ExposureConfig {
  readonly dueDays: { readonly critical: number; readonly high: number; readonly medium: number; readonly low: number; readonly unknown: number };
  readonly import: Readonly<Record<string, number>>;
}

/** A nested partial of the configuration, as flags or a file give it. */
export type ConfigInput = { readonly [k: string]: unknown };
