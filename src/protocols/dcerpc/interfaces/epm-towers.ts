// Protocol towers of the endpoint mapper (C706 appendix L "Protocol Tower Encoding", MS-RPCE
// 2.2.1.1): floors of (lhs, rhs) octet strings, always little-endian except ports and addresses.

import { ByteReader, uuidAt } from '../../../core/byte-reader.js';
import { ByteWriter } from '../../../core/byte-writer.js';
import { TruncatedError } from '../../../core/errors.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';
import { fromCharCodes } from '../ndr/index.js';
import type { InterfaceId } from './interface-ids.js';

/** Floor protocol identifiers (C706 appendix I; Wireshark packet-dcerpc-epm.c). */
export const FLOOR = {
  UUID: 0x0d,
  RPC_CL: 0x0a,
  RPC_CO: 0x0b,
  LRPC: 0x0c,
  TCP: 0x07,
  UDP: 0x08,
  IP: 0x09,
  NAMED_PIPE: 0x0f,
  NCALRPC: 0x10,
  NETBIOS: 0x11,
  HTTP: 0x1f,
} as const;

export interface TowerFloor {
  readonly lhs: Uint8Array;
  readonly rhs: Uint8Array;
}

export type Protseq = 'ncacn_ip_tcp' | 'ncadg_ip_udp' | 'ncacn_np' | 'ncalrpc' | 'ncacn_http' | 'unknown';

export interface Tower {
  readonly floors: readonly TowerFloor[];
  readonly iface?: InterfaceId;
  readonly transferSyntax?: InterfaceId;
  readonly protseq: Protseq;
  readonly port?: number;
  /** Named pipe (ncacn_np) or port name (ncalrpc). */
  readonly endpoint?: string;
  readonly ip?: string;
  /** NetBIOS host name floor (ncacn_np). */
  readonly host?: string;
}

/** What to put in a tower we send: floor 1 interface, floor 2 NDR, floor 3 protocol, 4-5 address. */
export interface TowerSpec {
  readonly iface: InterfaceId;
  readonly transferSyntax?: InterfaceId;
  readonly protseq: Exclude<Protseq, 'unknown'>;
  readonly port?: number;
  readonly endpoint?: string;
  readonly ip?: string;
  readonly host?: string;
}

const NDR: InterfaceId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', versionMajor: 2, versionMinor: 0 };

const TRANSPORT_PROTSEQ: Record<number, Protseq> = {
  [FLOOR.TCP]: 'ncacn_ip_tcp',
  [FLOOR.UDP]: 'ncadg_ip_udp',
  [FLOOR.NAMED_PIPE]: 'ncacn_np',
  [FLOOR.NCALRPC]: 'ncalrpc',
  [FLOOR.HTTP]: 'ncacn_http',
};

function uuidFloor(f: TowerFloor): InterfaceId | undefined {
  const lhs = f.lhs;
  if (lhs.length < 19 || lhs[0] !== FLOOR.UUID || f.rhs.length < 2) return undefined;
  // the 19 bytes are there: UUID at 1, little-endian major version at 17 (no reader needed)
  return { uuid: uuidAt(lhs, 1, true), versionMajor: lhs[17] | (lhs[18] << 8), versionMinor: f.rhs[0] | (f.rhs[1] << 8) };
}

const nulString = (b: Uint8Array): string => {
  const end = b.indexOf(0);
  return fromCharCodes(b, 0, end < 0 ? b.length : end);
};

/** Decode a tower octet string. Malformed towers give an anomaly and whatever floors were whole. */
export function decodeTower(bytes: Uint8Array, anomalies: Anomaly[] = []): Tower {
  const r = new ByteReader(bytes, 0, bytes.length, true);
  const floors: TowerFloor[] = [];
  try {
    const count = r.u16();
    for (let i = 0; i < count; i++) {
      const lhs = r.bytes(r.u16());
      const rhs = r.bytes(r.u16());
      floors.push({ lhs, rhs });
    }
    if (r.remaining > 0) anomalies.push(dcerpcAnomaly('declared_size_mismatch', `tower: ${r.remaining} byte(s) after ${count} floors`));
  } catch (e) {
    if (!(e instanceof TruncatedError)) throw e;
    anomalies.push(dcerpcAnomaly('declared_size_mismatch', `tower: floor ${floors.length + 1} runs past the ${bytes.length}-byte tower`));
  }
  return interpretFloors(floors);
}

function interpretFloors(floors: TowerFloor[]): Tower {
  const t: { -readonly [K in keyof Tower]: Tower[K] } = { floors, protseq: 'unknown' };
  if (floors[0]) t.iface = uuidFloor(floors[0]);
  if (floors[1]) t.transferSyntax = uuidFloor(floors[1]);
  for (let i = 3; i < floors.length; i++) {
    const f = floors[i];
    const id = f.lhs[0];
    if (TRANSPORT_PROTSEQ[id] && t.protseq === 'unknown') t.protseq = TRANSPORT_PROTSEQ[id];
    if ((id === FLOOR.TCP || id === FLOOR.UDP || id === FLOOR.HTTP) && f.rhs.length >= 2) t.port = (f.rhs[0] << 8) | f.rhs[1];
    else if ((id === FLOOR.NAMED_PIPE || id === FLOOR.NCALRPC) && f.rhs.length > 0) t.endpoint = nulString(f.rhs);
    else if (id === FLOOR.IP && f.rhs.length >= 4) t.ip = `${f.rhs[0]}.${f.rhs[1]}.${f.rhs[2]}.${f.rhs[3]}`;
    else if (id === FLOOR.NETBIOS && f.rhs.length > 0) t.host = nulString(f.rhs);
  }
  return t;
}

function uuidLhs(id: InterfaceId): Uint8Array {
  return new ByteWriter(true, 19).u8(FLOOR.UUID).uuid(id.uuid).u16(id.versionMajor).finish();
}
const u16le = (v: number): Uint8Array => new ByteWriter(true, 2).u16(v).finish();
const u16be = (v: number): Uint8Array => new ByteWriter(true, 2).u16be(v).finish();
const asciiz = (s: string): Uint8Array => new Uint8Array([...Buffer.from(s, 'latin1'), 0]);
const ipv4 = (s: string): Uint8Array => new Uint8Array(s.split('.').map((x) => Number(x) & 0xff));

/** The floors Windows sends for each protocol sequence (as rpcdump / Wireshark show them). */
export function towerFloors(spec: TowerSpec): TowerFloor[] {
  const ts = spec.transferSyntax ?? NDR;
  const floors: TowerFloor[] = [
    { lhs: uuidLhs(spec.iface), rhs: u16le(spec.iface.versionMinor) },
    { lhs: uuidLhs(ts), rhs: u16le(ts.versionMinor) },
  ];
  const one = (id: number): Uint8Array => new Uint8Array([id]);
  switch (spec.protseq) {
    case 'ncacn_ip_tcp':
    case 'ncacn_http':
      floors.push({ lhs: one(FLOOR.RPC_CO), rhs: u16le(0) });
      floors.push({ lhs: one(spec.protseq === 'ncacn_http' ? FLOOR.HTTP : FLOOR.TCP), rhs: u16be(spec.port ?? 0) });
      floors.push({ lhs: one(FLOOR.IP), rhs: ipv4(spec.ip ?? '0.0.0.0') });
      break;
    case 'ncadg_ip_udp':
      floors.push({ lhs: one(FLOOR.RPC_CL), rhs: u16le(0) });
      floors.push({ lhs: one(FLOOR.UDP), rhs: u16be(spec.port ?? 0) });
      floors.push({ lhs: one(FLOOR.IP), rhs: ipv4(spec.ip ?? '0.0.0.0') });
      break;
    case 'ncacn_np':
      floors.push({ lhs: one(FLOOR.RPC_CO), rhs: u16le(0) });
      floors.push({ lhs: one(FLOOR.NAMED_PIPE), rhs: asciiz(spec.endpoint ?? '') });
      floors.push({ lhs: one(FLOOR.NETBIOS), rhs: asciiz(spec.host ?? '') });
      break;
    case 'ncalrpc':
      floors.push({ lhs: one(FLOOR.LRPC), rhs: u16le(0) });
      floors.push({ lhs: one(FLOOR.NCALRPC), rhs: asciiz(spec.endpoint ?? '') });
      break;
  }
  return floors;
}

export function encodeTowerFloors(floors: readonly TowerFloor[]): Uint8Array {
  const w = new ByteWriter(true);
  w.u16(floors.length);
  for (const f of floors) w.u16(f.lhs.length).bytes(f.lhs).u16(f.rhs.length).bytes(f.rhs);
  return w.finish();
}

export function encodeTower(spec: TowerSpec): Uint8Array {
  return encodeTowerFloors(towerFloors(spec));
}

/** A string binding as rpcdump prints it, e.g. `ncacn_ip_tcp:10.0.0.5[49668]`. */
export function towerBinding(t: Tower): string {
  switch (t.protseq) {
    case 'ncacn_ip_tcp':
    case 'ncadg_ip_udp':
    case 'ncacn_http':
      return `${t.protseq}:${t.ip ?? ''}[${t.port ?? ''}]`;
    case 'ncacn_np':
      return `ncacn_np:\\\\${t.host ?? ''}[${t.endpoint ?? ''}]`;
    case 'ncalrpc':
      return `ncalrpc:[${t.endpoint ?? ''}]`;
    default:
      return 'unknown';
  }
}
