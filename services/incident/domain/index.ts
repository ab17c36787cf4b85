/** The rules (../shared/DOMAIN.md D1-D4) as pure functions of (state, input, context). */
export { decideEvent } from './decide-event.js';
export { decideOperatorAction, type OperatorAction } from './operator-actions.js';
export { decideExpiry } from './decide-expiry.js';
export { decidePosition, distanceMetres, knownAt, positionWorthUpdating, recentPositions, TRACK_LENGTH, type KnownPositions } from './positions.js';
export { decideRemoteOperation, decideStatus, decideWifi } from './vehicle-requests.js';
export { isNoop } from './changes.js';
export { decideDispatch, decideDispatchUpdate, dispatchPosition, isOpenDispatch, lastKnownOf, type DispatchRequest, type DispatchUpdate } from './dispatches.js';
export { decideNoResponse, noResponseAgencies } from './no-response.js';
export { destinationFor, greatCircleKm, nearestDealer, type DealerList } from './destinations.js';
export { decideEscalation, answerTargetMs, escalationDueAt } from './escalation.js';
export { decideDealer } from './dealer.js';
export { isRefusal, refuse, type Refusal, type RefusalCode, type RefusalDetails, type RefusalOf } from './refusal.js';
export { isFeatureLocked, lockoutView } from './lockout.js';
export * from './state.js';
