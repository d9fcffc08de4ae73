// Public API of the port-135 interface codecs: endpoint mapper, mgmt, IOXIDResolver, DCOM
// activation (MS-DCOM), and the stub dispatcher used by the connection tracker and the CLI.

export * from './interface-ids.js';
export * from './epm-towers.js';
export * from './epm-codec.js';
export * from './mgmt-codec.js';
export { TOWER_ID, parseDualStringArray, buildDualStringArray, decodeServerAlive2Request, encodeServerAlive2Response, decodeServerAlive2Response, dualStringArray } from './oxid-codec.js';
export type { StringBinding, SecurityBinding, DualStringArray, ServerAlive2Response } from './oxid-codec.js';
export * from './dcom-types.js';
export * from './objref-codec.js';
export * from './activation-properties.js';
export * from './activation-requests.js';
export * from './activation-response.js';
export * from './unc-path.js';
export { decodeRequestStub, decodeResponseStub, decodesRequest } from './stub-dispatch.js';
export type { StubInput, StubDecode } from './stub-dispatch.js';
