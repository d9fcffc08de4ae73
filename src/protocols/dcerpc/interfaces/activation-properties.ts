// The activation properties BLOB of ISystemActivator (MS-DCOM 2.2.22): dwSize, CustomHeader and
// one type-serialised structure per property, each declared size checked against the bytes present.

import { ByteReader } from '../../../core/byte-reader.js';
import { ByteWriter } from '../../../core/byte-writer.js';
import type { Anomaly } from '../../../model/anomaly.js';
import { dcerpcAnomaly } from '../anomalies.js';
import {
  NdrWriter, conformantArray, decodeNdr, fixedArray, hyper, i32, pointer, readTypeSerialization, struct, u16, u32, uuid,
  writeTypeSerialization, wstring, type AnyNdrType, type NdrInput, type NdrLimits, type NdrValue,
} from '../ndr/index.js';
import { checkInterfacePointer, comVersion, mInterfacePointer } from './dcom-types.js';
import { ACTIVATION_CLSID } from './interface-ids.js';

const MIP = pointer(mInterfacePointer);

export const customHeader = struct('CustomHeader', {
  totalSize: u32, headerSize: u32, dwReserved: u32, destCtx: u32, cIfs: u32, classInfoClsid: uuid,
  pclsid: pointer(conformantArray(uuid)), pSizes: pointer(conformantArray(u32)), pdwReserved: pointer(u32),
});

/** MS-DCOM 2.2.22.2.x, keyed by the property's CLSID name in ACTIVATION_CLSID. */
export const PROPERTY_TYPES = {
  SpecialPropertiesData: struct('SpecialPropertiesData', {
    dwSessionId: u32, fRemoteThisSessionId: i32, fClientImpersonating: i32, fPartitionIDPresent: i32, dwDefaultAuthnLvl: u32,
    guidPartition: uuid, dwPRTFlags: u32, dwOrigClsctx: u32, dwFlags: u32, reserved1: u32, reserved2: hyper, reserved3: fixedArray(u32, 5),
  }),
  InstantiationInfoData: struct('InstantiationInfoData', {
    classId: uuid, classCtx: u32, actvflags: u32, fIsSurrogate: i32, cIID: u32, instFlag: u32,
    pIID: pointer(conformantArray(uuid)), thisSize: u32, clientCOMVersion: comVersion,
  }),
  ActivationContextInfoData: struct('ActivationContextInfoData', {
    clientOK: i32, bReserved1: i32, dwReserved1: u32, dwReserved2: u32, pIFDClientCtx: MIP, pIFDPrototypeCtx: MIP,
  }),
  LocationInfoData: struct('LocationInfoData', { machineName: pointer(wstring), processId: u32, apartmentId: u32, contextId: u32 }),
  ScmRequestInfoData: struct('ScmRequestInfoData', {
    pdwReserved: pointer(u32),
    remoteRequest: pointer(struct('customREMOTE_REQUEST_SCM_INFO', { clientImpLevel: u32, cRequestedProtseqs: u16, pRequestedProtseqs: pointer(conformantArray(u16)) })),
  }),
  SecurityInfoData: struct('SecurityInfoData', {
    dwAuthnFlags: u32,
    pServerInfo: pointer(struct('COSERVERINFO', { dwReserved1: u32, pwszName: pointer(wstring), pdwReserved: pointer(u32), dwReserved2: u32 })),
    pdwReserved: pointer(u32),
  }),
  InstanceInfoData: struct('InstanceInfoData', { fileName: pointer(wstring), mode: u32, ifdROT: MIP, ifdStg: MIP }),
} as const;

export type PropertyName = keyof typeof PROPERTY_TYPES;
export type PropertyValue<N extends PropertyName> = NdrValue<(typeof PROPERTY_TYPES)[N]>;
export type PropertyInput<N extends PropertyName> = NdrInput<(typeof PROPERTY_TYPES)[N]>;

const NAME_BY_CLSID = new Map<string, PropertyName>(
  (Object.keys(PROPERTY_TYPES) as PropertyName[]).map((n) => [ACTIVATION_CLSID[n], n]),
);

export interface DecodedProperty {
  readonly clsid: string;
  readonly name?: PropertyName;
  readonly size: number;
  /** Offset of the property within the activation blob. */
  readonly at: number;
  readonly value?: Record<string, unknown>;
}

export interface ActivationBlob {
  readonly dwSize: number;
  readonly header?: NdrValue<typeof customHeader>;
  readonly properties: DecodedProperty[];
}

/** Decode the blob that follows OBJREF_CUSTOM's header (ActivationPropertiesIn). */
export function decodeActivationBlob(blob: Uint8Array, anomalies: Anomaly[], limits?: NdrLimits): ActivationBlob {
  const mismatch = (d: string): void => void anomalies.push(dcerpcAnomaly('declared_size_mismatch', d));
  if (blob.length < 8) {
    mismatch(`ActivationBlob: ${blob.length} byte(s), too short for dwSize/dwReserved`);
    return { dwSize: 0, properties: [] };
  }
  const dwSize = new ByteReader(blob, 0, 8, true).u32();
  const present = blob.length - 8;
  if (dwSize > present) mismatch(`ActivationBlob.dwSize ${dwSize}, present ${present}`);
  const serialized = readTypeSerialization(blob.subarray(8), 'CustomHeader', anomalies);
  if (!serialized) return { dwSize, properties: [] };
  const res = decodeNdr(serialized.body, serialized.header.littleEndian, {} as { h?: NdrValue<typeof customHeader> }, (r, out) => {
    out.h = r.top(() => customHeader.read(r));
  }, limits, 'CustomHeader');
  anomalies.push(...res.anomalies);
  const h = res.value.h;
  if (!h) return { dwSize, properties: [] };
  checkHeader(h, dwSize, present, mismatch);
  return { dwSize, header: h, properties: decodeProperties(blob, h, anomalies, limits) };
}

function checkHeader(h: NdrValue<typeof customHeader>, dwSize: number, present: number, mismatch: (d: string) => void): void {
  const sizes = h.pSizes ?? [];
  const clsids = h.pclsid ?? [];
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (h.totalSize !== dwSize) mismatch(`CustomHeader.totalSize ${h.totalSize} but ActivationBlob.dwSize ${dwSize}`);
  if (h.totalSize > present) mismatch(`CustomHeader.totalSize ${h.totalSize}, present ${present}`);
  if (h.headerSize + sum !== h.totalSize) mismatch(`CustomHeader.headerSize ${h.headerSize} + sum(pSizes) ${sum} != totalSize ${h.totalSize}`);
  if (h.cIfs !== clsids.length || h.cIfs !== sizes.length) mismatch(`CustomHeader.cIfs ${h.cIfs} but pclsid has ${clsids.length}, pSizes ${sizes.length}`);
}

function decodeProperties(blob: Uint8Array, h: NdrValue<typeof customHeader>, anomalies: Anomaly[], limits?: NdrLimits): DecodedProperty[] {
  const sizes = h.pSizes ?? [];
  const out: DecodedProperty[] = [];
  let at = 8 + h.headerSize;
  for (const [i, clsid] of (h.pclsid ?? []).entries()) {
    const size = sizes[i] ?? 0;
    const name = NAME_BY_CLSID.get(clsid);
    const label = name ?? `property[${i}]`;
    if (at + size > blob.length) {
      anomalies.push(dcerpcAnomaly('declared_size_mismatch', `CustomHeader.pSizes[${i}] (${label}) ${size} at blob offset ${at}, present ${Math.max(0, blob.length - at)}`));
    }
    const bytes = blob.subarray(Math.min(at, blob.length), Math.min(at + size, blob.length));
    out.push({ clsid, ...(name ? { name } : {}), size, at, ...decodeProperty(bytes, name, label, size, anomalies, limits) });
    at += size;
    if (at >= blob.length) break;
  }
  return out;
}

function decodeProperty(bytes: Uint8Array, name: PropertyName | undefined, label: string, size: number, anomalies: Anomaly[], limits?: NdrLimits): { value?: Record<string, unknown> } {
  const s = readTypeSerialization(bytes, label, anomalies);
  if (!s || !name) return {};
  if (s.header.objectBufferLength + 16 > size) {
    anomalies.push(dcerpcAnomaly('declared_size_mismatch', `${label}.ObjectBufferLength ${s.header.objectBufferLength} + 16 > pSizes ${size}`));
  }
  const type: AnyNdrType = PROPERTY_TYPES[name];
  const res = decodeNdr(s.body, s.header.littleEndian, {} as { v?: Record<string, unknown> }, (r, out) => {
    out.v = r.top(() => type.read(r) as Record<string, unknown>);
    checkProperty(r, name, out.v, size);
  }, limits, label);
  anomalies.push(...res.anomalies);
  return res.value.v ? { value: res.value.v } : {};
}

function checkProperty(r: import('../ndr/index.js').NdrReader, name: PropertyName, v: Record<string, unknown>, size: number): void {
  if (name === 'InstantiationInfoData') {
    const x = v as PropertyValue<'InstantiationInfoData'>;
    if (x.cIID !== (x.pIID?.length ?? 0)) r.anomaly('declared_size_mismatch', `InstantiationInfoData.cIID ${x.cIID} but pIID has ${x.pIID?.length ?? 0}`);
    if (x.thisSize !== size) r.anomaly('declared_size_mismatch', `InstantiationInfoData.thisSize ${x.thisSize} but pSizes ${size}`);
  } else if (name === 'ScmRequestInfoData') {
    const q = (v as PropertyValue<'ScmRequestInfoData'>).remoteRequest;
    if (q && q.cRequestedProtseqs !== (q.pRequestedProtseqs?.length ?? 0)) {
      r.anomaly('declared_size_mismatch', `ScmRequestInfoData.cRequestedProtseqs ${q.cRequestedProtseqs} but ${q.pRequestedProtseqs?.length ?? 0} present`);
    }
  } else if (name === 'InstanceInfoData') {
    const x = v as PropertyValue<'InstanceInfoData'>;
    checkInterfacePointer(r, 'InstanceInfoData.ifdROT', x.ifdROT);
    checkInterfacePointer(r, 'InstanceInfoData.ifdStg', x.ifdStg);
  } else if (name === 'ActivationContextInfoData') {
    const x = v as PropertyValue<'ActivationContextInfoData'>;
    checkInterfacePointer(r, 'ActivationContextInfoData.pIFDClientCtx', x.pIFDClientCtx);
    checkInterfacePointer(r, 'ActivationContextInfoData.pIFDPrototypeCtx', x.pIFDPrototypeCtx);
  }
}

/** A property to encode: its name and its value as the NDR type takes it. */
export type PropertySpec = { [N in PropertyName]: { readonly name: N; readonly value: PropertyInput<N> } }[PropertyName];

function serializeProperty(p: PropertySpec, littleEndian: boolean): Uint8Array {
  const w = new NdrWriter(littleEndian);
  const type: AnyNdrType = PROPERTY_TYPES[p.name];
  w.top(() => type.write(w, p.value));
  return writeTypeSerialization(w.finish(), littleEndian);
}

function serializeHeader(h: NdrInput<typeof customHeader>, littleEndian: boolean): Uint8Array {
  const w = new NdrWriter(littleEndian);
  w.top(() => customHeader.write(w, h));
  return writeTypeSerialization(w.finish(), littleEndian);
}

/** Build an ActivationPropertiesIn blob. InstantiationInfoData.thisSize is filled in. */
export function encodeActivationBlob(props: readonly PropertySpec[], littleEndian = true, destCtx = 2): Uint8Array {
  const bodies = props.map((p) => {
    if (p.name !== 'InstantiationInfoData') return serializeProperty(p, littleEndian);
    const first = serializeProperty(p, littleEndian);
    return serializeProperty({ name: p.name, value: { ...p.value, thisSize: first.length } }, littleEndian);
  });
  const sizes = bodies.map((b) => b.length);
  const header = (headerSize: number): NdrInput<typeof customHeader> => ({
    totalSize: headerSize + sizes.reduce((a, b) => a + b, 0), headerSize, dwReserved: 0, destCtx, cIfs: props.length,
    classInfoClsid: '00000000-0000-0000-0000-000000000000', pclsid: props.map((p) => ACTIVATION_CLSID[p.name]), pSizes: sizes, pdwReserved: null,
  });
  const headerSize = serializeHeader(header(0), littleEndian).length;
  const h = serializeHeader(header(headerSize), littleEndian);
  const total = headerSize + sizes.reduce((a, b) => a + b, 0);
  const w = new ByteWriter(true, 8 + total);
  w.u32(total).u32(0).bytes(h);
  for (const b of bodies) w.bytes(b);
  return w.finish();
}
