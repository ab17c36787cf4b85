export { SimulatedCar, type SimulatedCarOptions, type CarCounters } from './car.js';
export { defaultData } from './defaults.js';
export { CarState, type CarCall, type CarNotice } from './state.js';
export { SignalLog, isCommand, type CarSignal } from './signals.js';
export { buildEvent, buildTelemetry, buildStatus, buildAck, estimatePeakG, airbagsFor, crashDetails, type CrashDetails, type FireOptions } from './payloads.js';
export { mulberry32, seedFrom, type Rng } from './prng.js';
export { eventIdFactory } from './ids.js';
export { Outbox } from './outbox.js';
