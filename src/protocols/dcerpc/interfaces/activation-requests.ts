// DCOM activation requests (MS-DCOM 3.1.2.5.2.3): IRemoteActivation::RemoteActivation (opnum 0),
// ISystemActivator::RemoteGetClassObject (3) and RemoteCreateInstance (4): decoders and encoders.

import type { ActivationArgs } from '../../../model/call.js';
import type { Anomaly } from '../../../model/anomaly.js';
import {
  NdrWriter, conformantArray, decodeNdr, pointer, u16, u32, uuid, wstring,
  type NdrLimits, type NdrReader, type NdrString, type NdrStringSpec,
} from '../ndr/index.js';
import { decodeActivationBlob, encodeActivationBlob, type ActivationBlob, type PropertySpec, type PropertyValue } from './activation-properties.js';
import { checkInterfacePointer, checkOrpcThis, interfacePointer, mInterfacePointer, orpcThis, orpcThisValue, type MInterfacePointer, type OrpcThis } from './dcom-types.js';
import { ACTIVATION_CLSID, IID_IACTIVATION_PROPERTIES_IN, IID_IUNKNOWN } from './interface-ids.js';
import { decodeObjref, encodeObjrefCustom, type Objref } from './objref-codec.js';
import { uncServer } from './unc-path.js';

export interface RemoteActivationRequest {
  orpcThis: OrpcThis;
  clsid: string;
  objectName: NdrString | null;
  objectStorage: MInterfacePointer | null;
  clientImpLevel: number;
  mode: number;
  interfaces: number;
  iids: string[] | null;
  cRequestedProtseqs: number;
  protseqs: number[];
}

export interface SystemActivatorRequest {
  method: 'RemoteCreateInstance' | 'RemoteGetClassObject';
  orpcThis: OrpcThis;
  unkOuter?: MInterfacePointer | null;
  actProperties: MInterfacePointer | null;
  objref?: Objref;
  blob?: ActivationBlob;
}

export interface ActivationDecode<T> {
  readonly request: Partial<T>;
  readonly activation: ActivationArgs;
  readonly anomalies: Anomaly[];
  readonly complete: boolean;
  readonly trailing: number;
}

const MIP = pointer(mInterfacePointer);

export function decodeRemoteActivationRequest(stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits): ActivationDecode<RemoteActivationRequest> {
  const res = decodeNdr(stub, littleEndian, {} as Partial<RemoteActivationRequest>, (r, out) => {
    out.orpcThis = r.top(() => orpcThis.read(r), 'ORPCthis');
    checkOrpcThis(r, out.orpcThis);
    out.clsid = r.top(() => uuid.read(r), 'Clsid');
    out.objectName = r.top(() => pointer(wstring).read(r), 'pwszObjectName');
    out.objectStorage = r.top(() => MIP.read(r), 'pObjectStorage');
    checkInterfacePointer(r, 'pObjectStorage', out.objectStorage);
    out.clientImpLevel = r.top(() => u32.read(r), 'ClientImpLevel');
    out.mode = r.top(() => u32.read(r), 'Mode');
    out.interfaces = r.top(() => u32.read(r), 'Interfaces');
    out.iids = r.top(() => pointer(conformantArray(uuid)).read(r), 'pIIDs');
    if (out.interfaces !== (out.iids?.length ?? 0)) r.anomaly('declared_size_mismatch', `Interfaces ${out.interfaces} but pIIDs has ${out.iids?.length ?? 0}`);
    out.cRequestedProtseqs = r.top(() => u16.read(r), 'cRequestedProtseqs');
    out.protseqs = r.top(() => conformantArray(u16).read(r), 'aRequestedProtseqs');
    if (out.cRequestedProtseqs !== out.protseqs.length) {
      r.anomaly('declared_size_mismatch', `cRequestedProtseqs ${out.cRequestedProtseqs} but aRequestedProtseqs max_count ${out.protseqs.length}`);
    }
  }, limits, 'RemoteActivation');
  const q = res.value;
  const activation = withUnc({
    method: 'RemoteActivation',
    ...(q.clsid ? { clsid: q.clsid } : {}),
    ...(q.objectName ? { objectName: q.objectName.value } : {}),
    ...(q.iids ? { iids: q.iids } : {}),
    ...(q.protseqs ? { protseqs: q.protseqs } : {}),
  }, res.anomalies);
  return { request: q, activation, anomalies: res.anomalies, complete: res.complete, trailing: res.trailing };
}

function decodeActProperties(r: NdrReader, out: Partial<SystemActivatorRequest>, limits?: NdrLimits): void {
  out.actProperties = r.top(() => MIP.read(r), 'pActProperties');
  const mip = out.actProperties;
  if (!mip) {
    r.anomaly('protocol_violation', 'pActProperties is null: no activation properties');
    return;
  }
  checkInterfacePointer(r, 'pActProperties', mip);
  out.objref = decodeObjref(mip.abData, r.anomalies, 'pActProperties.OBJREF');
  const custom = out.objref?.custom;
  if (!custom) {
    if (out.objref) r.anomaly('protocol_violation', `pActProperties.OBJREF flags ${out.objref.flags}, expected OBJREF_CUSTOM`);
    return;
  }
  if (custom.clsid !== ACTIVATION_CLSID.ActivationPropertiesIn) r.anomaly('protocol_violation', `pActProperties.OBJREF.clsid ${custom.clsid}, expected ActivationPropertiesIn`);
  out.blob = decodeActivationBlob(custom.objectData, r.anomalies, limits);
  // Windows declares dwSize + 16, 8 more than follows; more than that is a lie about the blob.
  if (custom.objectReferenceSize > custom.objectData.length + 8 || custom.objectReferenceSize < out.blob.dwSize) {
    r.anomaly('declared_size_mismatch', `pActProperties.OBJREF.ObjectReferenceSize ${custom.objectReferenceSize}, blob ${custom.objectData.length} byte(s), dwSize ${out.blob.dwSize}`);
  }
}

export function decodeSystemActivatorRequest(
  method: SystemActivatorRequest['method'], stub: Uint8Array, littleEndian: boolean, limits?: NdrLimits,
): ActivationDecode<SystemActivatorRequest> {
  const res = decodeNdr(stub, littleEndian, { method } as Partial<SystemActivatorRequest>, (r, out) => {
    out.orpcThis = r.top(() => orpcThis.read(r), 'ORPCthis');
    checkOrpcThis(r, out.orpcThis);
    if (method === 'RemoteCreateInstance') {
      out.unkOuter = r.top(() => MIP.read(r), 'pUnkOuter');
      checkInterfacePointer(r, 'pUnkOuter', out.unkOuter);
    }
    decodeActProperties(r, out, limits);
  }, limits, method);
  return { request: res.value, activation: activationFromBlob(method, res.value.blob, res.anomalies), anomalies: res.anomalies, complete: res.complete, trailing: res.trailing };
}

function prop<N extends keyof typeof ACTIVATION_CLSID>(blob: ActivationBlob | undefined, name: N): Record<string, unknown> | undefined {
  return blob?.properties.find((p) => p.name === name)?.value;
}

function activationFromBlob(method: SystemActivatorRequest['method'], blob: ActivationBlob | undefined, anomalies: Anomaly[]): ActivationArgs {
  const inst = prop(blob, 'InstantiationInfoData') as PropertyValue<'InstantiationInfoData'> | undefined;
  const file = prop(blob, 'InstanceInfoData') as PropertyValue<'InstanceInfoData'> | undefined;
  const sec = prop(blob, 'SecurityInfoData') as PropertyValue<'SecurityInfoData'> | undefined;
  const scm = prop(blob, 'ScmRequestInfoData') as PropertyValue<'ScmRequestInfoData'> | undefined;
  const protseqs = scm?.remoteRequest?.pRequestedProtseqs;
  return withUnc({
    method,
    ...(inst ? { clsid: inst.classId } : {}),
    ...(file?.fileName ? { fileName: file.fileName.value } : {}),
    ...(sec?.pServerInfo?.pwszName ? { serverName: sec.pServerInfo.pwszName.value } : {}),
    ...(inst?.pIID ? { iids: inst.pIID } : {}),
    ...(protseqs ? { protseqs } : {}),
    properties: (blob?.properties ?? []).map((p) => p.name ?? p.clsid),
  }, anomalies);
}

/** Add the UNC server component (the longest, if several names carry one) and the size issues. */
function withUnc(a: ActivationArgs, anomalies: Anomaly[]): ActivationArgs {
  let best: { field: string; server: string; length: number } | undefined;
  for (const field of ['objectName', 'fileName', 'serverName'] as const) {
    const u = uncServer(a[field]);
    if (u && (!best || u.length > best.length)) best = { field, ...u };
  }
  const sizeIssues = anomalies.filter((x) => x.name === 'declared_size_mismatch' || x.name === 'ndr_string_inconsistent').map((x) => x.detail ?? x.name);
  return {
    ...a,
    ...(best ? { uncServer: best.server, uncServerLength: best.length, uncField: best.field } : {}),
    ...(sizeIssues.length ? { sizeIssues } : {}),
  };
}

// ---- encoders (sensor tests, scanner probes, inert exploit-delivery test traffic) ----

export interface RemoteActivationSpec {
  readonly clsid: string;
  readonly objectName?: string | NdrStringSpec | null;
  readonly objectStorage?: Uint8Array | null;
  readonly clientImpLevel?: number;
  readonly mode?: number;
  readonly iids?: readonly string[];
  readonly protseqs?: readonly number[];
  readonly orpcVersion?: { major: number; minor: number };
  /** ORPCTHIS extensions (MS-DCOM 2.2.13.2), e.g. to test their decoding; none by default. */
  readonly extensions?: readonly { readonly id: string; readonly data: Uint8Array }[];
}

const spec = (s: string | NdrStringSpec): NdrStringSpec => (typeof s === 'string' ? { value: s } : s);

export function encodeRemoteActivationRequest(a: RemoteActivationSpec, littleEndian = true): Uint8Array {
  const w = new NdrWriter(littleEndian);
  const iids = a.iids ?? [IID_IUNKNOWN];
  const protseqs = a.protseqs ?? [7];
  w.top(() => orpcThis.write(w, { ...orpcThisValue(a.orpcVersion ?? { major: 5, minor: 1 }), extensions: extentArray(a.extensions) }));
  w.top(() => uuid.write(w, a.clsid));
  w.top(() => pointer(wstring).write(w, a.objectName == null ? null : spec(a.objectName)));
  w.top(() => MIP.write(w, a.objectStorage ? interfacePointer(a.objectStorage) : null));
  w.top(() => u32.write(w, a.clientImpLevel ?? 2));
  w.top(() => u32.write(w, a.mode ?? 0));
  w.top(() => u32.write(w, iids.length));
  w.top(() => pointer(conformantArray(uuid)).write(w, iids));
  w.top(() => u16.write(w, protseqs.length));
  w.top(() => conformantArray(u16).write(w, protseqs));
  return w.finish();
}

/** ORPC_EXTENT_ARRAY: data padded to 8, slots to an even count (MS-DCOM 2.2.13.1-2). */
function extentArray(ext: RemoteActivationSpec['extensions']): OrpcThis['extensions'] {
  if (!ext?.length) return null;
  const extent = ext.map((e) => {
    const data = new Uint8Array((e.data.length + 7) & ~7);
    data.set(e.data);
    return { id: e.id, size: e.data.length, data };
  });
  return { size: ext.length, reserved: 0, extent: ext.length % 2 ? [...extent, null] : extent };
}

export interface SystemActivatorSpec {
  readonly clsid: string;
  readonly fileName?: string | NdrStringSpec;
  readonly serverName?: string | NdrStringSpec;
  readonly iids?: readonly string[];
  readonly protseqs?: readonly number[];
  readonly orpcVersion?: { major: number; minor: number };
}

/** The properties a Windows client sends, in its order (zeek_kerberos135_auth, sv_dcerpc-ctxids):
 * six structures, plus InstanceInfoData when a file name is given. */
export function activationProperties(a: SystemActivatorSpec): PropertySpec[] {
  const iids = a.iids ?? [IID_IUNKNOWN];
  const protseqs = a.protseqs ?? [7];
  const props: PropertySpec[] = [
    { name: 'SpecialPropertiesData', value: {
      dwSessionId: 0xffffffff, fRemoteThisSessionId: 0, fClientImpersonating: 0, fPartitionIDPresent: 0, dwDefaultAuthnLvl: 2,
      guidPartition: NIL_GUID, dwPRTFlags: 0, dwOrigClsctx: 0x14, dwFlags: 2, reserved1: 0, reserved2: 0n, reserved3: [0, 0, 0, 0, 0],
    } },
    { name: 'InstantiationInfoData', value: { classId: a.clsid, classCtx: 0x14, actvflags: 0, fIsSurrogate: 0, cIID: iids.length, instFlag: 0, pIID: iids, thisSize: 0, clientCOMVersion: { major: 5, minor: 7 } } },
    { name: 'ActivationContextInfoData', value: { clientOK: 0, bReserved1: 0, dwReserved1: 0, dwReserved2: 0, pIFDClientCtx: null, pIFDPrototypeCtx: null } },
    { name: 'SecurityInfoData', value: {
      dwAuthnFlags: 0, pdwReserved: null,
      pServerInfo: a.serverName === undefined ? null : { dwReserved1: 0, pwszName: spec(a.serverName), pdwReserved: null, dwReserved2: 0 },
    } },
    { name: 'LocationInfoData', value: { machineName: null, processId: 0, apartmentId: 0, contextId: 0 } },
    { name: 'ScmRequestInfoData', value: { pdwReserved: null, remoteRequest: { clientImpLevel: 2, cRequestedProtseqs: protseqs.length, pRequestedProtseqs: protseqs } } },
  ];
  if (a.fileName !== undefined) props.push({ name: 'InstanceInfoData', value: { fileName: spec(a.fileName), mode: 0, ifdROT: null, ifdStg: null } });
  return props;
}

const NIL_GUID = '00000000-0000-0000-0000-000000000000';

export function encodeActProperties(props: readonly PropertySpec[]): Uint8Array {
  const blob = encodeActivationBlob(props);
  return encodeObjrefCustom(IID_IACTIVATION_PROPERTIES_IN, ACTIVATION_CLSID.ActivationPropertiesIn, blob, blob.length + 8);
}

export function encodeSystemActivatorRequest(method: SystemActivatorRequest['method'], a: SystemActivatorSpec, littleEndian = true, props = activationProperties(a)): Uint8Array {
  const w = new NdrWriter(littleEndian);
  w.top(() => orpcThis.write(w, orpcThisValue(a.orpcVersion ?? { major: 5, minor: 7 })));
  if (method === 'RemoteCreateInstance') w.top(() => MIP.write(w, null));
  w.top(() => MIP.write(w, interfacePointer(encodeActProperties(props))));
  return w.finish();
}

export const encodeRemoteCreateInstanceRequest = (a: SystemActivatorSpec, littleEndian = true): Uint8Array => encodeSystemActivatorRequest('RemoteCreateInstance', a, littleEndian);
export const encodeRemoteGetClassObjectRequest = (a: SystemActivatorSpec, littleEndian = true): Uint8Array => encodeSystemActivatorRequest('RemoteGetClassObject', a, littleEndian);
