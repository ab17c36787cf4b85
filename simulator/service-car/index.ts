export { SimulatedServiceCar, runServiceCar, distanceKm, serviceCarUsername, type ServiceCarOptions, type ServiceCarReport, type ServiceCarArrival } from './service-car.js';
export { servicePath, nearestKm, parseLatLon, type LatLon } from './path.js';
export { startServiceCarStep, type RunningServiceCar, type ServiceCarStepContext } from './step.js';
