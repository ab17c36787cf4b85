/** Wire contract v1 (../shared/CONTRACT.md): every schema, type and topic helper. */
export * from './common.js';
export * from './vin.js';
export * from './events.js';
export * from './vehicle.js';
export * from './commands.js';
export * from './lockout.js';
export * from './dead-letter.js';
export * from './case.js';
export * from './feed.js';
export * from './http.js';
export * from './topics.js';
export * from './validate.js';
export * from './limits.js';
export * from './trace.js';
export * from './scenario.js';
