// Protocol towers (C706 appendix L, MS-RPCE 2.2.1.1.x): the floor lists the endpoint mapper hands
// out and receives. Floor counts and lengths are little-endian; ports and IPv4 addresses are in
// network order, as in every Windows capture. Hand-written: a tower is 5 floors of bytes.

import { ByteReader } from '../../core/byte-reader.js';
import { ByteWriter } from '../../core/byte-writer.js';
import { TRANSFER_SYNTAX } from '../../protocols/dcerpc/pdu-types.js';
import type { EndpointProtocol, IfaceId } from './persona-interfaces.js';

export const FLOOR = { UUID: 0x0d, NCACN: 0x0b, NCALRPC: 0x0c, TCP: 0x07, IP: 0x09, NAMED_PIPE: 0x0f, NETBIOS: 0x11, LRPC: 0x10, HTTP: 0x1f } as const;

function floor(w: ByteWriter, lhs: Uint8Array, rhs: Uint8Array): void {
  w.u16(lhs.length).bytes(lhs).u16(rhs.length).bytes(rhs);
}

function uuidFloor(w: ByteWriter, id: IfaceId): void {
  const lhs = new ByteWriter(true, 19).u8(FLOOR.UUID).uuid(id.uuid).u16(id.major).finish();
  floor(w, lhs, new ByteWriter(true, 2).u16(id.minor).finish());
}

const u16be = (n: number): Uint8Array => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
const cstr = (s: string): Uint8Array => new Uint8Array(Buffer.from(`${s}\0`, 'latin1'));
const ipv4 = (a: string): Uint8Array => new Uint8Array(a.split('.').map((x) => Number(x) & 0xff));

export interface TowerTarget {
  readonly hostname: string;
  /** IPv4 address written into tcp/http towers. */
  readonly address: string;
  readonly dynamicPort: number;
}

/** The tower of one interface reachable over one protocol. */
export function encodeTower(iface: IfaceId, proto: EndpointProtocol, t: TowerTarget): Uint8Array {
  const w = new ByteWriter(true, 96);
  const floors = proto.kind === 'ncalrpc' ? 4 : 5;
  w.u16(floors);
  uuidFloor(w, iface);
  const ndr = TRANSFER_SYNTAX.NDR;
  uuidFloor(w, { uuid: ndr.uuid, major: ndr.versionMajor, minor: ndr.versionMinor });
  floor(w, new Uint8Array([proto.kind === 'ncalrpc' ? FLOOR.NCALRPC : FLOOR.NCACN]), new Uint8Array(2));
  switch (proto.kind) {
    case 'ncacn_ip_tcp':
      floor(w, new Uint8Array([FLOOR.TCP]), u16be(proto.port === 'dynamic' ? t.dynamicPort : proto.port));
      floor(w, new Uint8Array([FLOOR.IP]), ipv4(t.address));
      break;
    case 'ncacn_http':
      floor(w, new Uint8Array([FLOOR.HTTP]), u16be(proto.port));
      floor(w, new Uint8Array([FLOOR.IP]), ipv4(t.address));
      break;
    case 'ncacn_np':
      floor(w, new Uint8Array([FLOOR.NAMED_PIPE]), cstr(proto.pipe));
      floor(w, new Uint8Array([FLOOR.NETBIOS]), cstr(`\\\\${t.hostname}`));
      break;
    case 'ncalrpc':
      floor(w, new Uint8Array([FLOOR.LRPC]), cstr(proto.name));
      break;
  }
  return w.finish();
}

export interface DecodedTower {
  readonly iface?: IfaceId;
  /** Protocol ids of floors 3.. (e.g. [0x0b, 0x07, 0x09] for ncacn_ip_tcp). */
  readonly protocols: readonly number[];
}

/** Read the floors of a tower a peer sent (ept_map); undefined when malformed. Bounded by `bytes`. */
export function decodeTower(bytes: Uint8Array): DecodedTower | undefined {
  try {
    const r = new ByteReader(bytes, 0, bytes.length, true);
    const count = r.u16();
    let iface: IfaceId | undefined;
    const protocols: number[] = [];
    for (let i = 0; i < count && i < 16; i++) {
      const lhs = r.sub(r.u16());
      const rhs = r.sub(r.u16());
      const id = lhs.length > 0 ? lhs.u8() : -1;
      if (i === 0 && id === FLOOR.UUID && lhs.remaining >= 18) {
        const uuid = lhs.uuid();
        iface = { uuid, major: lhs.u16(), minor: rhs.remaining >= 2 ? rhs.u16() : 0 };
      } else if (i >= 2) {
        protocols.push(id);
      }
    }
    return iface ? { iface, protocols } : { protocols };
  } catch {
    return undefined;
  }
}
