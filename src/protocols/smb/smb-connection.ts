// One SMB connection (NetBIOS session service on 139 or direct TCP on 445), both directions: the
// one entry for SMB bytes, from a socket or a capture. It frames (netbios-framer.ts), decodes SMB1
// and SMB2 (with AndX chains, transactions and compounds), follows trees and named pipes by tree
// and file id, and hands every pipe's bytes, in order per direction, to the sink the owner opens
// for it (a DcerpcConnection: ncacn_np is DCE/RPC over these bytes, MS-RPCE 2.1.1.2).

import type { Anomaly } from '../../model/anomaly.js';
import type { Direction } from '../../model/flow.js';
import { ntlmsspIn, type NtlmMessage } from '../ntlm/ntlmssp.js';
import { NbssFramer, NBSS } from './netbios-framer.js';
import { smbAnomaly } from './smb-anomalies.js';
import { resolveSmbLimits, type SmbLimitOverrides, type SmbLimits } from './smb-limits.js';
import { decodeSmb1 } from './smb1-decode.js';
import { TransactionTable } from './smb1-transactions.js';
import { SMB1_CMD, TRANS_TRANSACT_NMPIPE, WRITE_MODE_MESSAGE_START, type Smb1Command, type Smb1Message } from './smb1-types.js';
import { decodeSmb2, decodeSmb2Opaque } from './smb2-decode.js';
import { FSCTL_PIPE_TRANSCEIVE, NT_STATUS, SMB2_CMD, type Smb2Command, type Smb2Message, type Smb2Opaque } from './smb2-types.js';

/** WriteAndX WriteMode bit for a raw (byte stream) named-pipe write; with MESSAGE_START the data
 * opens with a 2-byte message length (Wireshark packet-smb.c dissect_write_andx_request). */
const WRITE_MODE_RAW = 0x0004;

export interface NbssControl {
  readonly dialect: 'nbss';
  readonly type: number;
  readonly payload: Uint8Array;
}
export type SmbMessage = Smb1Message | Smb2Message | Smb2Opaque | NbssControl;

/** A named pipe opened on a tree: its key (tree and file id) and its name as the client gave it. */
export interface PipeInfo {
  readonly key: string;
  /** Lower-case, without `\PIPE\` and leading backslashes: `srvsvc`, `lsarpc`, `epmapper`; empty
   * when the open was not seen (a capture that began later). */
  readonly name: string;
  readonly dialect: 1 | 2;
}

/** What a pipe's bytes go to (a DcerpcConnection in a capture, the persona's RPC server in the sensor). */
export interface PipeSink {
  feed(dir: Direction, bytes: Uint8Array, tsMs: number): void;
  gap(dir: Direction): void;
  close(tsMs: number): void;
}

export interface SmbConnectionOptions {
  readonly limits?: SmbLimitOverrides;
  /** A pipe was opened (a create on IPC$ answered with success); undefined: its bytes are dropped. */
  readonly openPipe?: (pipe: PipeInfo) => PipeSink | undefined;
  /** Every message, after its pipe bytes were delivered. */
  readonly onMessage?: (dir: Direction, msg: SmbMessage, tsMs: number) => void;
  /** NTLMSSP found in a session setup's security blob. */
  readonly onNtlm?: (dir: Direction, m: NtlmMessage) => void;
  readonly onAnomaly?: (a: Anomaly, dir: Direction | undefined) => void;
}

interface OpenPipe {
  readonly info: PipeInfo;
  readonly sink: PipeSink | undefined;
}

export const normalizePipeName = (raw: string): string => raw.replace(/^\\+/, '').replace(/^pipe\\/i, '').replace(/\0+$/, '').toLowerCase();

export class SmbConnection {
  readonly limits: SmbLimits;
  private readonly framers: Record<Direction, NbssFramer | undefined> = { to_server: undefined, to_client: undefined };
  private readonly afterGap: Record<Direction, boolean> = { to_server: false, to_client: false };
  /** tree id -> share path (SMB1 TID and SMB2 TreeId share one table: a connection speaks one dialect). */
  private readonly trees = new Map<number, string>();
  private readonly pipes = new Map<string, OpenPipe>();
  /** Requests awaiting a response, by PID/MID (SMB1) or MessageId (SMB2). */
  private readonly pending = new Map<string, { readonly op: 'tree'; readonly path: string } | { readonly op: 'create'; readonly name: string; readonly tree: number } | { readonly op: 'read'; readonly pipe: string }>();
  private readonly transactions: TransactionTable;
  private dir: Direction = 'to_server';
  private ts = 0;
  private reported = 0;
  private unreported = 0;
  /** Scratch list for one message's decode anomalies (emptied per message). */
  private readonly found: Anomaly[] = [];
  /** Which dialect the connection speaks, once seen (1 or 2). */
  dialect: 1 | 2 | undefined;
  messages = 0;
  closed = false;

  constructor(private readonly o: SmbConnectionOptions = {}) {
    this.limits = resolveSmbLimits(o.limits);
    this.transactions = new TransactionTable(this.limits.maxTransactionBytes, this.limits.maxPendingRequests, (a) => this.emit(a));
  }

  get heldBytes(): number {
    return (this.framers.to_server?.buffered ?? 0) + (this.framers.to_client?.buffered ?? 0) + this.transactions.heldBytes;
  }
  get midMessage(): boolean {
    return (this.framers.to_server?.buffered ?? 0) > 0;
  }
  get openPipes(): number {
    return this.pipes.size;
  }
  /** The sink of an open pipe (the sensor answers reads and transceives from it). */
  pipe(key: string): (PipeInfo & { readonly sink: PipeSink | undefined }) | undefined {
    const p = this.pipes.get(key);
    return p && { ...p.info, sink: p.sink };
  }

  feed(dir: Direction, chunk: Uint8Array, tsMs: number): void {
    if (this.closed) return;
    this.ts = tsMs;
    this.dir = dir;
    try {
      const f = (this.framers[dir] ??= new NbssFramer(this.limits.maxMessageBytes, (a) => this.emit(a), this.afterGap[dir]));
      f.push(chunk, (type, payload) => this.onNbss(dir, type, payload));
    } catch (e) {
      this.emit(smbAnomaly('protocol_violation', `exception while decoding: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** A hole in one direction: framing resynchronises, and every pipe's stream in that direction has a hole too. */
  gap(dir: Direction): void {
    if (this.closed) return;
    this.framers[dir] = undefined;
    this.afterGap[dir] = true;
    for (const p of this.pipes.values()) p.sink?.gap(dir);
  }

  close(tsMs: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pipes.values()) p.sink?.close(tsMs);
    this.pipes.clear();
    if (this.unreported > 0) {
      const n = this.unreported;
      this.unreported = 0;
      this.o.onAnomaly?.(smbAnomaly('too_many_anomalies', `${n} more SMB anomalies counted, not reported (maxAnomaliesPerConnection ${this.limits.maxAnomaliesPerConnection})`), undefined);
    }
  }

  private onNbss(dir: Direction, type: number, payload: Uint8Array): void {
    if (type !== NBSS.MESSAGE) {
      this.o.onMessage?.(dir, { dialect: 'nbss', type, payload }, this.ts);
      return;
    }
    if (payload.length === 0) return;
    this.messages++;
    const found = this.found;
    found.length = 0;
    let msg: SmbMessage | undefined;
    const p0 = payload[0];
    if (payload.length >= 4 && payload[1] === 0x53 && payload[2] === 0x4d && payload[3] === 0x42 && p0 >= 0xfc) {
      if (p0 === 0xff) msg = decodeSmb1(payload, this.limits.maxCompoundCommands, found);
      else if (p0 === 0xfe) msg = decodeSmb2(payload, this.limits.maxCompoundCommands, found);
      else {
        msg = decodeSmb2Opaque(payload);
        found.push(smbAnomaly(msg.dialect === 'encrypted' ? 'smb2_encrypted' : 'smb2_compressed', `${payload.length} bytes not decoded`));
      }
    } else found.push(smbAnomaly('smb_bad_protocol_id', `message opens ${Array.from(payload.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}`));
    const anomalies = found.slice();
    for (const a of anomalies) this.emit(a);
    if (!msg) return;
    if (msg.dialect === 1 || msg.dialect === 2) {
      if (this.dialect !== undefined && this.dialect !== msg.dialect && !(this.dialect === 1 && msg.dialect === 2)) this.emit(smbAnomaly('smb_dialect_mixed', `SMB${msg.dialect} after SMB${this.dialect}`));
      this.dialect = msg.dialect;
      if (msg.dialect === 1) this.route1(dir, msg);
      else this.route2(dir, msg);
    }
    this.o.onMessage?.(dir, msg, this.ts);
  }

  // ---- SMB1 ----

  private route1(dir: Direction, m: Smb1Message): void {
    const h = m.header;
    const key = `${h.pidHigh * 65536 + h.pid}:${h.mid}`;
    for (const c of m.commands) {
      if (m.isReply) this.reply1(key, h.tid, h.status, c);
      else this.request1(key, h.tid, c);
      void dir;
    }
  }

  private request1(key: string, tid: number, c: Smb1Command): void {
    const b = c.body;
    switch (b.kind) {
      case 'session_setup_request':
        if (b.securityBlob) this.ntlm('to_server', b.securityBlob);
        return;
      case 'tree_connect_request':
        return this.expect(key, { op: 'tree', path: b.path });
      case 'nt_create_request':
        return this.expect(key, { op: 'create', name: b.name, tree: tid });
      case 'write_request': {
        let data = b.data;
        if ((b.writeMode & (WRITE_MODE_MESSAGE_START | WRITE_MODE_RAW)) === (WRITE_MODE_MESSAGE_START | WRITE_MODE_RAW) && data.length >= 2) data = data.subarray(2);
        return this.toPipe('to_server', `${tid}:${b.fid}`, data);
      }
      case 'read_request':
        return this.expectRead(key, `${tid}:${b.fid}`);
      case 'transaction_request': {
        const t = this.transactions.primary(key, b);
        if (t) this.transaction1(key, tid, t.setup, t.data);
        return;
      }
      case 'transaction_secondary': {
        const t = this.transactions.secondary(key, b);
        if (t) this.transaction1(key, tid, t.setup, t.data);
        return;
      }
      case 'close_request':
        return this.closePipe(`${tid}:${b.fid}`);
      default:
        if (c.command === SMB1_CMD.TREE_DISCONNECT) this.trees.delete(tid);
    }
  }

  private transaction1(key: string, tid: number, setup: readonly number[], data: Uint8Array): void {
    if (setup[0] !== TRANS_TRANSACT_NMPIPE || setup.length < 2) return;
    const pipe = `${tid}:${setup[1]}`;
    // TransactNmPipe names a pipe by its function: one opened before the capture began is still one
    if (!this.pipes.has(pipe)) this.openPipe(tid, pipe, '', 1);
    this.toPipe('to_server', pipe, data);
    this.expectRead(key, pipe);
  }

  private reply1(key: string, tid: number, status: number, c: Smb1Command): void {
    const b = c.body;
    const ok = status === NT_STATUS.SUCCESS || status === NT_STATUS.BUFFER_OVERFLOW;
    switch (b.kind) {
      case 'session_setup_response':
        if (b.securityBlob) this.ntlm('to_client', b.securityBlob);
        return;
      case 'tree_connect_response': {
        const p = this.take(key, 'tree');
        if (p && ok) this.addTree(tid, p.path);
        return;
      }
      case 'nt_create_response': {
        const p = this.take(key, 'create');
        // ResourceType 1/2: byte or message mode pipe (MS-CIFS 2.2.4.64.2); 0 is a file or directory
        if (p && ok && (b.resourceType === 1 || b.resourceType === 2 || this.trees.has(p.tree))) this.openPipe(p.tree, `${tid}:${b.fid}`, p.name, 1);
        return;
      }
      case 'read_response': {
        const p = this.take(key, 'read');
        if (p && ok) this.toPipe('to_client', p.pipe, b.data);
        return;
      }
      case 'transaction_response': {
        // a response in several pieces (displacements) keeps its request until the last piece
        const p = this.pending.get(key);
        if (p?.op !== 'read') return;
        if (ok) this.toPipe('to_client', p.pipe, b.data);
        if (b.dataDisplacement + b.data.length >= b.totalData) this.pending.delete(key);
        return;
      }
      default:
        if (status !== NT_STATUS.SUCCESS && this.pending.get(key)?.op !== 'read') this.pending.delete(key);
        else if (status !== NT_STATUS.SUCCESS && status !== NT_STATUS.BUFFER_OVERFLOW) this.pending.delete(key);
    }
  }

  // ---- SMB2 ----

  private route2(dir: Direction, m: Smb2Message): void {
    for (const c of m.commands) {
      if (c.isReply) this.reply2(c);
      else this.request2(c);
    }
    void dir;
  }

  private request2(c: Smb2Command): void {
    const b = c.body;
    const key = c.header.messageId.toString();
    switch (b.kind) {
      case 'session_setup_request':
        return this.ntlm('to_server', b.securityBlob);
      case 'tree_connect_request':
        return this.expect(key, { op: 'tree', path: b.path });
      case 'create_request':
        return this.expect(key, { op: 'create', name: b.name, tree: c.header.treeId });
      case 'write_request':
        return this.toPipe('to_server', b.fileId, b.data);
      case 'read_request':
        return this.expectRead(key, b.fileId);
      case 'ioctl_request':
        if (b.ctlCode !== FSCTL_PIPE_TRANSCEIVE) return;
        if (!this.pipes.has(b.fileId)) this.openPipe(c.header.treeId, b.fileId, '', 2);
        this.toPipe('to_server', b.fileId, b.input);
        return this.expectRead(key, b.fileId);
      case 'close_request':
        return this.closePipe(b.fileId);
      default:
        if (c.header.command === SMB2_CMD.TREE_DISCONNECT) this.trees.delete(c.header.treeId);
    }
  }

  private reply2(c: Smb2Command): void {
    const h = c.header;
    if (h.status === NT_STATUS.PENDING) return; // interim: the final response follows
    const b = c.body;
    const key = h.messageId.toString();
    const ok = h.status === NT_STATUS.SUCCESS || h.status === NT_STATUS.BUFFER_OVERFLOW;
    switch (b.kind) {
      case 'session_setup_response':
        return this.ntlm('to_client', b.securityBlob);
      case 'tree_connect_response': {
        const p = this.take(key, 'tree');
        if (p && ok) this.addTree(h.treeId, p.path);
        return;
      }
      case 'create_response': {
        const p = this.take(key, 'create');
        if (p && ok) this.openPipe(p.tree, b.fileId, p.name, 2);
        return;
      }
      case 'read_response': {
        const p = this.take(key, 'read');
        if (p && ok) this.toPipe('to_client', p.pipe, b.data);
        return;
      }
      case 'ioctl_response': {
        const p = this.take(key, 'read');
        if (p && ok && b.ctlCode === FSCTL_PIPE_TRANSCEIVE) this.toPipe('to_client', p.pipe, b.output);
        return;
      }
      default:
        this.pending.delete(key);
    }
  }

  // ---- shared ----

  private ntlm(dir: Direction, blob: Uint8Array): void {
    if (!this.o.onNtlm || blob.length === 0) return;
    const m = ntlmsspIn(blob);
    if (m) this.o.onNtlm(dir, m);
  }

  private expect(key: string, v: { op: 'tree'; path: string } | { op: 'create'; name: string; tree: number }): void {
    if (this.pending.size >= this.limits.maxPendingRequests) {
      this.pending.delete(this.pending.keys().next().value as string);
      this.emit(smbAnomaly('too_many_pending_requests', `more than ${this.limits.maxPendingRequests} requests unanswered`));
    }
    this.pending.set(key, v);
  }

  private expectRead(key: string, pipe: string): void {
    if (!this.pipes.has(pipe)) return;
    if (this.pending.size >= this.limits.maxPendingRequests) {
      this.pending.delete(this.pending.keys().next().value as string);
      this.emit(smbAnomaly('too_many_pending_requests', `more than ${this.limits.maxPendingRequests} requests unanswered`));
    }
    this.pending.set(key, { op: 'read', pipe });
  }

  private take<K extends 'tree' | 'create' | 'read'>(key: string, op: K): Extract<typeof this.pending extends Map<string, infer V> ? V : never, { op: K }> | undefined {
    const p = this.pending.get(key);
    if (p === undefined || p.op !== op) return undefined;
    this.pending.delete(key);
    return p as Extract<typeof p, { op: K }>;
  }

  private addTree(tid: number, path: string): void {
    if (!this.trees.has(tid) && this.trees.size >= this.limits.maxTrees) {
      this.trees.delete(this.trees.keys().next().value as number);
      this.emit(smbAnomaly('too_many_trees', `more than ${this.limits.maxTrees} trees connected`));
    }
    this.trees.set(tid, path);
  }

  /** A create answered with success on IPC$ (or on a tree the capture never saw connect) is a pipe. */
  private openPipe(tree: number, key: string, rawName: string, dialect: 1 | 2): void {
    const path = this.trees.get(tree);
    if (path !== undefined && !/ipc\$$/i.test(path)) return;
    const old = this.pipes.get(key);
    if (old) old.sink?.close(this.ts);
    if (!old && this.pipes.size >= this.limits.maxPipes) {
      const [k, p] = this.pipes.entries().next().value as [string, OpenPipe];
      p.sink?.close(this.ts);
      this.pipes.delete(k);
      this.emit(smbAnomaly('too_many_pipes', `more than ${this.limits.maxPipes} pipes open`));
    }
    const info: PipeInfo = { key, name: normalizePipeName(rawName), dialect };
    this.pipes.set(key, { info, sink: this.o.openPipe?.(info) });
  }

  private toPipe(dir: Direction, key: string, data: Uint8Array): void {
    if (data.length === 0) return;
    const p = this.pipes.get(key);
    if (!p) {
      // a capture that started after the open: nothing to attribute the bytes to
      if (dir === 'to_server' && this.pipes.size > 0) this.emit(smbAnomaly('pipe_io_on_unknown_fid', `${data.length} bytes to file ${key}`));
      return;
    }
    p.sink?.feed(dir, data, this.ts);
  }

  private closePipe(key: string): void {
    const p = this.pipes.get(key);
    if (!p) return;
    this.pipes.delete(key);
    p.sink?.close(this.ts);
  }

  private emit(a: Anomaly): void {
    if (this.reported >= this.limits.maxAnomaliesPerConnection) {
      this.unreported++;
      return;
    }
    this.reported++;
    this.o.onAnomaly?.(a, this.dir);
  }
}
