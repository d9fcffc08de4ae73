// SMB1 transaction reassembly (MS-CIFS 3.3.5.57-3.3.5.59: a primary Transaction, Transaction2 or
// NT Transact and the secondaries that carry the rest of its parameters and data), with the checks
// MS17-010 breaks: a secondary of another kind than its primary (EternalBlue's NT Transact continued
// by Trans2 secondaries), totals that change, displacements that do not follow, and FEA lists whose
// declared size disagrees with their entries (SrvOs2FeaListSizeToNt; see Check Point and RiskSense
// write-ups of EternalBlue, and Wireshark packet-smb.c's FEA list dissection).

import type { Anomaly } from '../../model/anomaly.js';
import { smbAnomaly } from './smb-anomalies.js';
import type { Smb1Body, TransactionKind } from './smb1-types.js';
import { TRANS2_SESSION_SETUP } from './smb1-types.js';

type TransRequest = Extract<Smb1Body, { kind: 'transaction_request' }>;
type TransSecondary = Extract<Smb1Body, { kind: 'transaction_secondary' }>;

/** A transaction whose parameters and data are all in. */
export interface CompletedTransaction {
  readonly sub: TransactionKind;
  readonly setup: readonly number[];
  readonly name?: string;
  readonly function?: number;
  readonly params: Uint8Array;
  readonly data: Uint8Array;
  readonly secondaries: number;
  readonly truncated: boolean;
}

interface Pending {
  readonly req: TransRequest;
  readonly params: Uint8Array;
  readonly data: Uint8Array;
  paramsGot: number;
  dataGot: number;
  secondaries: number;
  truncated: boolean;
}

export class TransactionTable {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly maxBytes: number,
    private readonly maxPending: number,
    private readonly flag: (a: Anomaly) => void,
  ) {}

  get heldBytes(): number {
    let n = 0;
    for (const p of this.pending.values()) n += p.params.length + p.data.length;
    return n;
  }

  /** A primary request: complete at once, or held (keyed by PID/MID) until its secondaries. */
  primary(key: string, req: TransRequest): CompletedTransaction | undefined {
    if (req.sub === 'trans2' && req.setup[0] === TRANS2_SESSION_SETUP) {
      // reserved subcommand no Windows client sends: DoublePulsar's implant check (MS17-010 follow-up)
      this.flag(smbAnomaly('trans2_session_setup', `Trans2 SESSION_SETUP, ${req.params.length} parameter and ${req.data.length} data bytes`));
    }
    const totalP = Math.max(req.totalParams, req.params.length);
    const totalD = Math.max(req.totalData, req.data.length);
    if (req.params.length >= req.totalParams && req.data.length >= req.totalData) return this.done({ req, params: req.params, data: req.data, paramsGot: 0, dataGot: 0, secondaries: 0, truncated: false });
    let truncated = false;
    if (totalP + totalD > this.maxBytes) {
      this.flag(smbAnomaly('transaction_too_large', `${req.sub} declares ${totalP} parameter + ${totalD} data bytes > maxTransactionBytes ${this.maxBytes}`));
      truncated = true;
    }
    const cap = (n: number): number => Math.min(n, this.maxBytes);
    const p: Pending = { req, params: new Uint8Array(cap(totalP)), data: new Uint8Array(cap(totalD)), paramsGot: 0, dataGot: 0, secondaries: 0, truncated };
    this.put(p, 0, req.params, 0, req.data);
    if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
    }
    this.pending.set(key, p);
    return undefined;
  }

  /** A secondary: its primary's continuation; returns the transaction once complete. */
  secondary(key: string, s: TransSecondary): CompletedTransaction | undefined {
    const p = this.pending.get(key);
    if (!p) {
      this.flag(smbAnomaly('transaction_secondary_without_primary', `${s.sub} secondary with no ${s.sub} primary open`));
      return undefined;
    }
    p.secondaries++;
    if (p.req.sub !== s.sub) {
      // the server takes the secondary's kind for the primary's (the MS17-010 type confusion)
      this.flag(smbAnomaly('transaction_secondary_without_primary', `${s.sub} secondary continues a ${p.req.sub} primary`));
    }
    if (s.totalParams > p.req.totalParams || s.totalData > p.req.totalData) {
      this.flag(smbAnomaly('transaction_total_mismatch', `${s.sub} secondary totals ${s.totalParams}/${s.totalData} > primary ${p.req.totalParams}/${p.req.totalData}`));
    }
    if (s.paramDisplacement !== p.paramsGot || s.dataDisplacement !== p.dataGot) {
      if (s.params.length > 0 || s.data.length > 0) this.flag(smbAnomaly('transaction_displacement_mismatch', `displacements ${s.paramDisplacement}/${s.dataDisplacement} where ${p.paramsGot}/${p.dataGot} bytes are in`));
    }
    this.put(p, s.paramDisplacement, s.params, s.dataDisplacement, s.data);
    if (p.paramsGot < p.req.totalParams || p.dataGot < p.req.totalData) return undefined;
    this.pending.delete(key);
    return this.done(p);
  }

  private put(p: Pending, pd: number, params: Uint8Array, dd: number, data: Uint8Array): void {
    // counted as sent, stored as far as the (capped) buffers reach
    p.paramsGot += params.length;
    p.dataGot += data.length;
    if (!store(p.params, pd, params) || !store(p.data, dd, data)) p.truncated = true;
  }

  private done(p: Pending): CompletedTransaction {
    const r = p.req;
    checkFeaList(r, p.params, p.data, this.flag);
    const out: { -readonly [K in keyof CompletedTransaction]: CompletedTransaction[K] } = { sub: r.sub, setup: r.setup, params: p.params, data: p.data, secondaries: p.secondaries, truncated: p.truncated };
    if (r.name !== undefined) out.name = r.name;
    if (r.function !== undefined) out.function = r.function;
    return out;
  }
}

function store(dst: Uint8Array, at: number, src: Uint8Array): boolean {
  if (src.length === 0) return true;
  if (at >= dst.length) return false;
  const n = Math.min(src.length, dst.length - at);
  dst.set(src.subarray(0, n), at);
  return n === src.length;
}

/** Trans2 subcommands whose data is an SMB_FEA_LIST (MS-CIFS 2.2.6.1 OPEN2, 2.2.6.9 SET_PATH_INFORMATION
 * at level SMB_INFO_SET_EAS, 2.2.6.10 SET_FILE_INFORMATION, 2.2.6.15 CREATE_DIRECTORY). */
const TRANS2_WITH_FEA = new Set([0x0000, 0x0006, 0x0008, 0x000d]);
/** NT Transact functions whose data EternalBlue fills with an FEA list (NT_TRANSACT_CREATE 1, and 0, the
 * undefined function the public exploit sends). */
const NT_WITH_FEA = new Set([0x0000, 0x0001]);

/**
 * SMB_FEA_LIST (MS-CIFS 2.2.1.2.2): SizeOfListInBytes (u32) then entries of flag (u8), name length
 * (u8), value length (u16), name + NUL, value. The size the list declares must equal what its
 * entries take; EternalBlue declares more than it carries, which srv.sys miscomputes into a
 * non-paged pool overflow.
 */
function checkFeaList(r: TransRequest, params: Uint8Array, data: Uint8Array, flag: (a: Anomaly) => void): void {
  const carries = (r.sub === 'trans2' && TRANS2_WITH_FEA.has(r.setup[0] ?? -1)) || (r.sub === 'nt_transact' && NT_WITH_FEA.has(r.function ?? -1));
  if (!carries || data.length < 4) return;
  void params;
  const declared = (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
  let at = 4;
  let entries = 0;
  while (at + 4 <= Math.min(data.length, declared) && entries < 65536) {
    const nameLen = data[at + 1];
    const valueLen = data[at + 2] | (data[at + 3] << 8);
    at += 4 + nameLen + 1 + valueLen;
    entries++;
  }
  if (declared !== at || declared > data.length) {
    flag(smbAnomaly('smb1_ea_list_size_mismatch', `${r.sub} FEA list declares ${declared} bytes, its ${entries} entries take ${at}, ${data.length} data bytes present`));
  }
}
