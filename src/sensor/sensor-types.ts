// The sensor's public contract: what it emits (sessions and events, through an injected sink it
// never looks behind), how it is configured, and the persona it presents on the RPC ports.

import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import type { SessionRecord } from '../model/session.js';
import type { VigilEvent } from '../model/event.js';
import type { SensorLimitName } from './sensor-limits.js';
import type { DcerpcLimitOverrides } from '../protocols/dcerpc/dcerpc-limits.js';

/** A finished session, with the bytes the peer sent up to the recording cap (a payload sample). */
export interface SessionOutput {
  readonly kind: 'session';
  readonly session: SessionRecord;
  readonly payload?: Uint8Array;
}
export interface EventOutput {
  readonly kind: 'event';
  readonly event: VigilEvent;
}
export type SensorOutput = SessionOutput | EventOutput;

/**
 * Where the sensor's output goes (the store and the detectors, wired by the CLI). `write` receives
 * batches in order; the sensor waits for the returned promise before handing over the next batch,
 * so a slow sink shows up as queue depth (and, past the queue's capacity, as counted drops).
 */
export interface SensorSink {
  write(batch: readonly SensorOutput[]): void | Promise<void>;
}

/** Operating-system flavour the persona imitates (same names as the configuration's sensor.persona.os). */
export type OsFlavour = 'windows-nt4-sp6' | 'windows-2000-sp4' | 'windows-xp-sp1' | 'windows-xp-sp2' | 'windows-2003' | 'windows-7-sp1';

export interface PersonaConfig {
  /** NetBIOS-style host name, as ServerAlive2 reports it. */
  readonly hostname: string;
  readonly domain: string;
  /** Addresses the persona reports in its string bindings and towers; empty: the address the peer connected to. */
  readonly addresses: readonly string[];
  readonly os: OsFlavour;
  /** The dynamic TCP port its services (epm-registered interfaces) claim to listen on. */
  readonly dynamicPort: number;
  /** Answer on 4444 with a cmd.exe banner and prompts (text only; nothing is ever executed). */
  readonly shellBanner: boolean;
  /** RPCSS patch level RemoteActivation answers reveal (persona/activation-answer.ts). */
  readonly rpcssPatch?: 'undisclosed' | 'none' | 'KB823980' | 'KB824146';
}

export const DEFAULT_PERSONA: PersonaConfig = {
  hostname: 'FILESRV01',
  domain: 'WORKGROUP',
  addresses: [],
  os: 'windows-xp-sp1',
  dynamicPort: 1025,
  shellBanner: true,
  rpcssPatch: 'undisclosed',
};

export interface SensorOptions {
  /** Name recorded on every session (several sensors may feed one store). */
  readonly name?: string;
  /** Addresses to listen on; default both stacks on every interface. */
  readonly hosts?: readonly string[];
  /** Base ports (135, 139, 445, 593, 4444 by default); the listening port is base + portOffset. */
  readonly ports?: readonly number[];
  readonly portOffset?: number;
  /** Listen on kernel-chosen ports instead (tests and benchmarks); see Sensor.portFor. */
  readonly ephemeralPorts?: boolean;
  readonly limits?: Partial<Record<SensorLimitName, number>>;
  /** DCE/RPC framer and reassembly limits on 135/593 (the codec's DCERPC_LIMITS table). */
  readonly dcerpcLimits?: DcerpcLimitOverrides;
  readonly persona?: Partial<PersonaConfig>;
  readonly sink: SensorSink;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** prom-client Registry to register the sensor's metrics in (the API's /metrics registry). */
  readonly registry?: Registry;
}

export const DEFAULT_PORTS: readonly number[] = [135, 139, 445, 593, 4444];
