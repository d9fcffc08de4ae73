// The Windows persona's RPC surface: which interfaces its port 135 (RPCSS) answers, which opnums of
// each it serves, and which endpoints its endpoint mapper lists. The set follows what `rpcdump`/`rpcmap`
// show for an XP/2003 host (MS-RPCE, MS-DCOM, C706 appendix O); names come from the kb table.

import { AppError } from '../../core/errors.js';
import { interfaceName } from '../../kb/dcerpc-names.js';

export interface IfaceId {
  readonly uuid: string;
  readonly major: number;
  readonly minor: number;
}

export interface ServedInterface extends IfaceId {
  /** The kb table's name (Zeek's), the one call records carry. */
  readonly name: string;
  /** Opnums the persona serves; any other gets nca_op_rng_error, as RPCSS answers an opnum past the
   * interface's end (and ISystemActivator's 0-2, IUnknown methods that never go on the wire). */
  readonly opnums: ReadonlySet<number>;
}

function served(uuid: string, major: number, minor: number, opnums: readonly number[]): ServedInterface {
  // the persona must not answer an interface the name table cannot name: records would say undefined
  const name = interfaceName(uuid);
  if (name === undefined) throw new AppError('VIGIL_ERR_INTERNAL', `persona interface ${uuid} is missing from kb/dcerpc-names`);
  return { uuid, major, minor, name, opnums: new Set(opnums) };
}

export const EPMAPPER = served('e1af8308-5d1f-11c9-91a4-08002b14a0fa', 3, 0, [0, 1, 2, 3, 4, 5, 6]);
export const MGMT = served('afa8bd80-7d8a-11c9-bef4-08002b102989', 1, 0, [0, 1, 2, 3, 4]);
export const IOXID_RESOLVER = served('99fcfec4-5260-101b-bbcb-00aa0021347a', 0, 0, [0, 1, 2, 3, 4, 5]);
export const IREMOTE_ACTIVATION = served('4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', 0, 0, [0]);
export const ISYSTEM_ACTIVATOR = served('000001a0-0000-0000-c000-000000000046', 0, 0, [3, 4]);
const LOCAL_EPMP = served('0b0a6584-9e0f-11cf-a3cf-00805f68cb1b', 1, 1, []);
const ILOCAL_OBJECT_EXPORTER = served('e60c73e6-88f9-11cf-9af1-0020af6e72f4', 2, 0, []);
const IMACHINE_ACTIVATOR_CONTROL = served('c6f3ee72-ce7e-11d1-b71e-00c04fc3111a', 1, 0, []);

/** What RPCSS answers on 135: a bind to any other interface gets abstract_syntax_not_supported. */
export const SERVED_ON_135: readonly ServedInterface[] = [
  EPMAPPER, MGMT, IOXID_RESOLVER, IREMOTE_ACTIVATION, ISYSTEM_ACTIVATOR, LOCAL_EPMP, ILOCAL_OBJECT_EXPORTER, IMACHINE_ACTIVATOR_CONTROL,
];

export function servedInterface(uuid: string, major: number, served: readonly ServedInterface[] = SERVED_ON_135): ServedInterface | undefined {
  const u = uuid.toLowerCase();
  return served.find((i) => i.uuid === u && i.major === major);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
// The interfaces behind the SMB named pipes (MS-SRVS, MS-WKST, MS-BRWS, MS-LSAD, MS-SAMR, MS-NRPC,
// MS-DSSP): every opnum is "served" so that a call is decoded and answered, mostly with access denied.
export const SRVSVC = served('4b324fc8-1670-01d3-1278-5a47bf6ee188', 3, 0, range(54));
export const WKSSVC = served('6bffd098-a112-3610-9833-46c3f87e345a', 1, 0, range(31));
export const BROWSER = served('6bffd098-a112-3610-9833-012892020162', 0, 0, range(3));
export const LSARPC = served('12345778-1234-abcd-ef00-0123456789ab', 0, 0, range(82));
export const SAMR = served('12345778-1234-abcd-ef00-0123456789ac', 1, 0, range(74));
export const NETLOGON = served('12345678-1234-abcd-ef00-01234567cffb', 1, 0, range(59));
export const DSSETUP = served('3919286a-b10c-11d0-9ba8-00c04fd92ef5', 0, 0, range(14));

/** services.exe's pipes (one endpoint behind \\srvsvc, \\wkssvc and \\browser) and lsass.exe's. */
const SERVICES = [SRVSVC, WKSSVC, BROWSER];
const LSASS = [LSARPC, SAMR, NETLOGON, DSSETUP];

/** Pipes the persona opens on IPC$ and the interfaces each accepts binds for (an XP host's set). */
export const PIPES: ReadonlyMap<string, readonly ServedInterface[]> = new Map([
  ['epmapper', SERVED_ON_135],
  ['srvsvc', SERVICES],
  ['wkssvc', SERVICES],
  ['browser', SERVICES],
  ['lsarpc', LSASS],
  ['samr', LSASS],
  ['netlogon', LSASS],
  ['lsass', LSASS],
]);

/** How an endpoint is reached, one tower each (C706 appendix L, MS-RPCE 2.2.1.1.x protocol ids). */
export type EndpointProtocol =
  | { readonly kind: 'ncacn_ip_tcp'; readonly port: 'dynamic' | number }
  | { readonly kind: 'ncacn_http'; readonly port: number }
  | { readonly kind: 'ncacn_np'; readonly pipe: string }
  | { readonly kind: 'ncalrpc'; readonly name: string };

export interface EndpointRegistration {
  readonly iface: IfaceId;
  readonly annotation: string;
  readonly protocols: readonly EndpointProtocol[];
}

const TCP_DYNAMIC: EndpointProtocol = { kind: 'ncacn_ip_tcp', port: 'dynamic' };

/** The persona's endpoint-mapper database: a workstation's usual registrations (XP SP1 rpcdump). */
export const REGISTRATIONS: readonly EndpointRegistration[] = [
  { iface: { uuid: EPMAPPER.uuid, major: 3, minor: 0 }, annotation: '', protocols: [{ kind: 'ncacn_ip_tcp', port: 135 }, { kind: 'ncacn_http', port: 593 }, { kind: 'ncacn_np', pipe: '\\PIPE\\epmapper' }, { kind: 'ncalrpc', name: 'epmapper' }] },
  { iface: { uuid: '12345778-1234-abcd-ef00-0123456789ac', major: 1, minor: 0 }, annotation: '', protocols: [{ kind: 'ncacn_np', pipe: '\\PIPE\\lsass' }, TCP_DYNAMIC, { kind: 'ncalrpc', name: 'audit' }] },
  { iface: { uuid: '5a7b91f8-ff00-11d0-a9b2-00c04fb6e6fc', major: 1, minor: 0 }, annotation: 'Messenger Service', protocols: [{ kind: 'ncacn_np', pipe: '\\PIPE\\ntsvcs' }, TCP_DYNAMIC, { kind: 'ncalrpc', name: 'senssvc' }] },
  { iface: { uuid: '1ff70682-0a51-30e8-076d-740be8cee98b', major: 1, minor: 0 }, annotation: '', protocols: [{ kind: 'ncacn_np', pipe: '\\PIPE\\atsvc' }, { kind: 'ncalrpc', name: 'LRPC0000024c.00000001' }] },
  { iface: { uuid: '378e52b0-c0a9-11cf-822d-00aa0051e40f', major: 1, minor: 0 }, annotation: '', protocols: [{ kind: 'ncacn_np', pipe: '\\PIPE\\atsvc' }] },
  { iface: { uuid: '906b0ce0-c70b-1067-b317-00dd010662da', major: 1, minor: 0 }, annotation: '', protocols: [TCP_DYNAMIC, { kind: 'ncalrpc', name: 'LRPC00000290.00000001' }] },
  { iface: { uuid: '3c4728c5-f0ab-448b-bda1-6ce01eb0a6d5', major: 1, minor: 0 }, annotation: 'DHCP Client LRPC Endpoint', protocols: [{ kind: 'ncalrpc', name: 'dhcpcsvc' }] },
  { iface: { uuid: '2f5f6521-cb55-1059-b446-00df0bce31db', major: 1, minor: 0 }, annotation: 'Unimodem LRPC Endpoint', protocols: [{ kind: 'ncalrpc', name: 'unimdmsvc' }, { kind: 'ncacn_np', pipe: '\\pipe\\tapsrv' }] },
  { iface: { uuid: '0a74ef1c-41a4-4e06-83ae-dc74fb1cdd53', major: 1, minor: 0 }, annotation: '', protocols: [{ kind: 'ncalrpc', name: 'OLE7' }] },
];
