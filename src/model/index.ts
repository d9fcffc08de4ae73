// Shared domain types (no logic): re-exported for convenience.
export type * from './anomaly.js';
export type * from './flow.js';
export type * from './call.js';
export type * from './session.js';
export type * from './event.js';
export type * from './alert.js';
export type * from './vulnerability.js';
export type * from './asset.js';
export type * from './scan.js';
export { flowKey } from './flow.js';
export type * from './watch.js';
