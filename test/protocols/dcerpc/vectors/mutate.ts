// Seeded mutation of DCE/RPC PDUs for the mutation test and bench (mqtt-packet testRandom.js style):
// real corpus PDUs plus one encoded PDU of every type, both byte orders, bent in PDU-aware ways.

import {
  encodeAlterContextResp, encodeAuth3, encodeBind, encodeBindAck, encodeBindNak, encodeCoCancel, encodeFault,
  encodeOrphaned, encodeRequest, encodeResponse, encodeShutdown, TRANSFER_SYNTAX,
} from '../../../../src/protocols/dcerpc/index.js';
import { allVectors } from './load-vectors.js';
import { mulberry32 } from '../../../helpers/prng.js';

export { mulberry32 as prng };

export function seedPdus(): Uint8Array[] {
  const out = allVectors().map((v) => v.bytes);
  const auth = { authType: 10, authLevel: 6, authValue: new Uint8Array(16).fill(0x41) };
  const syn = { uuid: '000001a0-0000-0000-c000-000000000046', versionMajor: 0, versionMinor: 0 };
  for (const littleEndian of [true, false]) {
    const o = { littleEndian, auth };
    out.push(
      encodeBind({ ...o, contexts: [{ ctxId: 0, abstractSyntax: syn, transferSyntaxes: [TRANSFER_SYNTAX.NDR, TRANSFER_SYNTAX.NDR64] }] }),
      encodeBindAck({ ...o, secondaryAddress: '135', results: [{ result: 0, reason: 0, transferSyntax: TRANSFER_SYNTAX.NDR }] }),
      encodeAlterContextResp({ ...o, results: [] }),
      encodeBindNak({ ...o, rejectReason: 4, signature: syn.uuid }),
      encodeAuth3(o), encodeShutdown(o), encodeCoCancel(o), encodeOrphaned(o),
      encodeRequest({ ...o, opnum: 4, objectUuid: syn.uuid, stub: new Uint8Array(40).fill(0x41) }),
      encodeResponse({ ...o, stub: new Uint8Array(12).fill(0x42) }),
      encodeFault({ ...o, status: 0x1c010002 }),
    );
  }
  return out;
}

/** One mutated copy of `src`: field-aware edits (lengths, flags, counts) and blind ones. */
export function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let b = src.slice();
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = pick(Math.max(1, b.length));
    switch (pick(9)) {
      case 0: b[at] ^= 1 << pick(8); break;
      case 1: b[at] = pick(256); break;
      case 2: b = b.subarray(0, pick(b.length + 1)); break;
      case 3: { const ext = new Uint8Array(b.length + pick(64)); ext.set(b); for (let i = b.length; i < ext.length; i++) ext[i] = pick(256); b = ext; break; }
      case 4: if (b.length > 9) { b[8] = pick(256); b[9] = pick(4) === 0 ? pick(256) : b[9]; } break; // frag_length
      case 5: if (b.length > 11) { b[10] = pick(256); b[11] = pick(8) === 0 ? pick(256) : 0; } break; // auth_length
      case 6: if (b.length > 4) { b[3] = pick(256); b[4] = pick(2) ? 0x10 : 0; } break; // flags, drep
      case 7: if (b.length > 2) b[2] = pick(22); break; // ptype
      default: if (b.length > 28) b[24 + pick(8)] = pick(256); break; // counts and lengths after the header
    }
  }
  return b;
}
