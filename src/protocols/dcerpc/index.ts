// Public API of the connection-oriented DCE/RPC codec, framer and connection tracker (C706 ch. 12,
// MS-RPCE 2.2). The NDR and interface decoders export theirs from ndr/ and interfaces/ themselves.

export * from './pdu-types.js';
export * from './anomalies.js';
export * from './dcerpc-limits.js';
export * from './pdu-decode.js';
export * from './pdu-encode.js';
export * from './framer.js';
export * from './reassembly.js';
export * from './connection-contexts.js';
export * from './connection.js';
export * from './stream-start.js';
export * from './auth-ntlm.js';
