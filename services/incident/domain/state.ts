import type { ContactRecord } from './contacts.js';
import type { Case, CommandBody, FeedDraft, LockoutFeature, PowerMode, RecordedImpact, SecurityAlert, VoiceSession } from '../../../protocol/index.js';

/**
 * The lockout of one car (D3). `holdingSessionIds` are calls not yet cleared that hold it open; once the
 * last is cleared, `until` becomes clear-down + LOCKOUT_MINUTES and it can only move later (D3.5).
 */
export interface LockoutState {
  features: LockoutFeature[];
  holdingSessionIds: string[];
  /** Epoch ms; null while held by a call, or when nothing is locked. */
  until: number | null;
}

/** Per-car state: the unit of consistency. Every change to a car, its cases and sessions bumps `version`. */
export interface VehicleState {
  vin: string;
  version: number;
  lockout: LockoutState;
  powerMode: PowerMode | null;
  online: boolean | null;
  /** Wi-Fi as the owner last asked for it; restored when a `wifi` lockout ends. */
  wifiEnabled: boolean;
  /** D4.4 (extension `PUT /v1/vehicles/{vin}/dealer`): the owner's registered dealer, by its id in the dealer list. */
  dealerId?: string;
  /** D4.5 (contract "Message relay"): the contacts the owner registered, in the order to call (`PUT /v1/vehicles/{vin}/contacts`). */
  contacts?: ContactRecord[];
}

/** A car with its open cases and their voice sessions: what every decision reads. */
export interface VehicleAggregate {
  vehicle: VehicleState;
  cases: Case[];
  sessions: VoiceSession[];
}

/** A command the backend sent, and the car's answer once it comes: the wire shape of `GET /v1/vehicles/{vin}/commands`. */
export type { CommandRecord } from '../../../protocol/index.js';

/** What a decision asks for. Pure data: the pipeline persists it, then publishes it. */
export interface Decision {
  vehicle: VehicleState;
  /** Upserts. */
  cases: Case[];
  sessions: VoiceSession[];
  alerts: SecurityAlert[];
  impacts: RecordedImpact[];
  /** To the car, on `v1/vehicles/{vin}/commands`. */
  commands: CommandBody[];
  /** True when the car's own state changed (power mode, online, lockout, Wi-Fi). */
  vehicleChanged: boolean;
  /** True when the car's lockout view changed: publish the retained lockout topic. */
  lockoutChanged: boolean;
  /** Security alarms to hand to the partner (D3.1). */
  partnerAlarms: SecurityAlert[];
  feed: FeedDraft[];
  /** One line for the log: what happened and why. */
  outcome: string;
}

export interface DecideContext {
  now: number;
  newId: () => string;
  /** LOCKOUT_MINUTES in ms (D3.5). */
  lockoutMs: number;
  /** IMPACT_DELTA_V_KMH (D1.2). */
  impactThresholdKmh: number;
  /** DOCTOR_HELI_THRESHOLD (D4.3): the severity probability that recommends a doctor helicopter. */
  doctorHeliThreshold: number;
  /** POSITION_CASE_UPDATE_SECONDS in ms: at most one position update of a car's cases per this long. */
  positionCaseUpdateMs: number;
  /** POSITION_MIN_METRES: a shorter move is noise (no case update, no new track point). */
  positionMinMetres: number;
}

export function emptyVehicle(vin: string): VehicleState {
  return {
    vin,
    version: 0,
    lockout: { features: [], holdingSessionIds: [], until: null },
    powerMode: null,
    online: null,
    wifiEnabled: true,
  };
}
