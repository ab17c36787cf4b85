export { Fleet, every, type FleetOptions, type FleetMember, type ConnectProgress } from './fleet.js';
export { crash, startCrashes, storm } from './incidents.js';
export { formatSummary, sumCounters, type FleetSummary } from './summary.js';
export { fleetVin } from './vins.js';
export { provisionCredentials, provisionServiceCarCredentials, ProvisionError, type ProvisionOptions, type ProvisionKind } from './provision.js';
