// Public API of the sensor: listeners with a Windows RPC persona, emitting sessions and events
// through an injected sink (DESIGN.md: sensor never imports store; the CLI wires the sink).

export { Sensor, type BoundListener } from './sensor.js';
export { SENSOR_LIMITS, LIMIT_HIT, resolveSensorLimits, type SensorLimits, type SensorLimitName, type LimitHitName } from './sensor-limits.js';
export { DEFAULT_PERSONA, DEFAULT_PORTS } from './sensor-types.js';
export type { SensorOptions, SensorSink, SensorOutput, SessionOutput, EventOutput, PersonaConfig, OsFlavour } from './sensor-types.js';
export { privilegedPortError } from './bind-errors.js';
