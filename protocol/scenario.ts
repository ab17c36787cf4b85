import { Type, type Static } from '@sinclair/typebox';
import { CallState, NoticeCode, RemoteOperation } from './commands.js';
import { Agency, DispatchUpdateStatus, ServiceCar } from './dispatch.js';
import { ImpactDirection, PowerMode, Seatbelts } from './events.js';
import { LockoutFeature } from './lockout.js';
import { ServiceCarStep } from './service-car.js';
import { Vin } from './vin.js';

/**
 * Simulator scenarios (`anshin sim run`, simulator/scenarios/*.yaml): per-car timelines of vehicle
 * actions, operator actions over HTTP, and expectations. Unknown fields are errors (a typo must not
 * silently skip a step).
 */
const strict = { additionalProperties: false } as const;

/** `30s`, `1m30s`, `1500ms`, `2m`, `1h`, or a number of milliseconds. */
export const ScenarioDuration = Type.Union([
  Type.Integer({ minimum: 0 }),
  Type.String({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$', description: 'e.g. 30s, 1m30s, 500ms' }),
]);
export type ScenarioDuration = Static<typeof ScenarioDuration>;

const Resolution = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });

/** Operator actions over HTTP (`POST /v1/cases/{id}/<action>`) on the case opened by the car's last event. */
export const OPERATOR_ACTIONS = ['answer', 'hangup', 'callback', 'close'] as const;
export const OperatorAction = Type.Union(OPERATOR_ACTIONS.map((k) => Type.Literal(k)));
export type OperatorAction = Static<typeof OperatorAction>;

/** A subset of a command the car must receive after its previous action step (fields compared with ===). */
export const ExpectCommand = Type.Object(
  {
    cmd: Type.Union(['call.state', 'lockout', 'wifi', 'notice', 'callback', 'remote'].map((c) => Type.Literal(c))),
    state: Type.Optional(CallState),
    audioMuted: Type.Optional(Type.Boolean()),
    code: Type.Optional(NoticeCode),
    active: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
  },
  strict,
);

export const Expectation = Type.Object(
  {
    within: Type.Optional(ScenarioDuration),
    /** A command received after the car's previous action. */
    command: Type.Optional(ExpectCommand),
    /** The car's lockout as it knows it (retained topic / lockout commands): `features` must all be locked. */
    lockout: Type.Optional(Type.Object({ active: Type.Boolean(), features: Type.Optional(Type.Array(LockoutFeature)) }, strict)),
    /** The case opened by the car's last event (HTTP): fields compared with ===. */
    case: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed')])),
          trigger: Type.Optional(Type.Union(['airbag', 'impact', 'sos', 'trouble'].map((t) => Type.Literal(t)))),
          priority: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)])),
          test: Type.Optional(Type.Boolean()),
        },
        strict,
      ),
    ),
    /**
     * Issue 12 part 8: the case's dispatches by agency, in the order they were made (D4.1, D4.2); and with
     * `severity` its band (D4.3), with `triggers` how many events joined it (one call at a time).
     */
    dispatches: Type.Optional(Type.Array(Agency)),
    severity: Type.Optional(Type.Union(['high', 'elevated', 'low'].map((b) => Type.Literal(b)))),
    triggers: Type.Optional(Type.Integer({ minimum: 1 })),
    /** D4.6: the owner's app got this many `service_car_dispatched` messages (the car's app-messages topic). */
    appMessages: Type.Optional(Type.Integer({ minimum: 0 })),
    /**
     * D4.6: the tracking link of the case's road-service dispatch (`GET /v1/track/{token}`): the service
     * car has reported (`serviceCar: true`), the ETA is at most `etaMinutesAtMost`, or `ended` (410).
     */
    track: Type.Optional(
      Type.Object({ serviceCar: Type.Optional(Type.Boolean()), etaMinutesAtMost: Type.Optional(Type.Integer({ minimum: 0 })), ended: Type.Optional(Type.Literal(true)) }, strict),
    ),
    /** No case for the car's last event, after waiting `within` (e.g. an impact below the D1.2 threshold). */
    noCase: Type.Optional(Type.Literal(true)),
    /** The car's display audio (D2.5). */
    audioMuted: Type.Optional(Type.Boolean()),
  },
  strict,
);
export type Expectation = Static<typeof Expectation>;

/**
 * Issue 12 part 8: what a crash event tells beyond delta-V (contract "Richer crash data", D4.3): the
 * direction (right-hand drive: `right` is the driver's near side), several impacts, belt use per front
 * seat. Left out, the simulated car draws plausible values from its seed (simulator/car/payloads.ts).
 */
const CrashData = {
  direction: Type.Optional(ImpactDirection),
  multipleImpacts: Type.Optional(Type.Boolean()),
  seatbelts: Type.Optional(Seatbelts),
  rollover: Type.Optional(Type.Boolean()),
};

/** `ServiceCarStep` (protocol/service-car.ts) with `to` optional: the scenario's car by default. */
const ScenarioServiceCar = Type.Object({ ...ServiceCarStep.properties, to: Type.Optional(ServiceCarStep.properties.to) }, strict);
export type ScenarioServiceCar = Static<typeof ScenarioServiceCar>;

export const DriveStep = Type.Object(
  {
    route: Type.String({ minLength: 1 }),
    startKm: Type.Optional(Type.Number({ minimum: 0 })),
    speedKmh: Type.Number({ minimum: 0, maximum: 300 }),
    telemetryHz: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
  },
  strict,
);

/** One timeline entry: `at` plus exactly one action (checked after the schema). */
export const ScenarioStep = Type.Object(
  {
    at: ScenarioDuration,
    airbag: Type.Optional(
      Type.Union([
        Type.Literal(true),
        Type.Object({ deployed: Type.Optional(Type.Array(Type.String({ minLength: 1 }))), deltaVKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 500 })), ...CrashData }, strict),
      ]),
    ),
    impact: Type.Optional(Type.Object({ deltaVKmh: Type.Number({ minimum: 0, maximum: 500 }), direction: Type.Optional(ImpactDirection), multipleImpacts: CrashData.multipleImpacts, seatbelts: CrashData.seatbelts }, strict)),
    sos: Type.Optional(Type.Literal(true)),
    trouble: Type.Optional(Type.Union([Type.Literal(true), Type.Object({ warningLamps: Type.Array(Type.String({ minLength: 1 })) }, strict)])),
    power: Type.Optional(PowerMode),
    securityAlarm: Type.Optional(Type.Object({ kind: Type.String({ minLength: 1 }) }, strict)),
    telemetry: Type.Optional(Type.Literal(true)),
    drive: Type.Optional(DriveStep),
    stop: Type.Optional(Type.Literal(true)),
    operator: Type.Optional(OperatorAction),
    /** With `operator: close` (default `other`). */
    resolution: Type.Optional(Resolution),
    operatorId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    remote: Type.Optional(Type.Object({ operation: RemoteOperation, expectStatus: Type.Optional(Type.Integer()) }, strict)),
    /** Issue 12 part 8: the operator dispatches an agency for the car's case (`POST /v1/cases/{id}/dispatches`, D4.1). */
    dispatch: Type.Optional(Type.Object({ agency: Agency, note: Type.Optional(Type.String({ maxLength: 2000 })), serviceCar: Type.Optional(ServiceCar) }, strict)),
    /** The operator moves the case's n-th dispatch (0 = the first) (`PATCH …/dispatches/{id}`). */
    dispatchUpdate: Type.Optional(Type.Object({ dispatch: Type.Integer({ minimum: 0 }), status: DispatchUpdateStatus, etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })) }, strict)),
    /** Nobody answers: the operator's no-response dispatches (`POST /v1/cases/{id}/no-response`, D4.2). */
    noResponse: Type.Optional(Type.Literal(true)),
    /**
     * D4.6: a simulated service car drives from `from` to `to` and reports its position (simulator/service-car);
     * `to` left out: to this car where it is at the step (the scene), so a run's seeded position needs no copying.
     */
    serviceCar: Type.Optional(ScenarioServiceCar),
    wifi: Type.Optional(Type.Object({ enabled: Type.Boolean(), expectStatus: Type.Optional(Type.Integer()) }, strict)),
    expect: Type.Optional(Expectation),
    /** Options for the event this step fires. */
    test: Type.Optional(Type.Boolean()),
    noPosition: Type.Optional(Type.Literal(true)),
    note: Type.Optional(Type.String()),
  },
  strict,
);
export type ScenarioStep = Static<typeof ScenarioStep>;

export const STEP_ACTIONS = ['airbag', 'impact', 'sos', 'trouble', 'power', 'securityAlarm', 'telemetry', 'drive', 'stop', 'operator', 'remote', 'wifi', 'dispatch', 'dispatchUpdate', 'noResponse', 'serviceCar', 'expect'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export const ScenarioCar = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' }),
    /** A fixed VIN; by default one is made from the run's seed (so reruns do not share lockouts). */
    vin: Type.Optional(Vin),
    timeline: Type.Array(ScenarioStep, { minItems: 1 }),
  },
  strict,
);
export type ScenarioCar = Static<typeof ScenarioCar>;

/** Fleet-wide steps: crash storms and their expectations. */
export const FleetStep = Type.Object(
  {
    at: ScenarioDuration,
    storm: Type.Optional(Type.Object({ crashes: Type.Integer({ minimum: 1 }), within: ScenarioDuration }, strict)),
    expect: Type.Optional(
      Type.Object(
        {
          within: Type.Optional(ScenarioDuration),
          eventsAcked: Type.Optional(Type.Integer({ minimum: 0 })),
          /** At least this many open cases (HTTP `GET /v1/cases?status=open`) for this fleet's cars. */
          openCasesAtLeast: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        strict,
      ),
    ),
    note: Type.Optional(Type.String()),
  },
  strict,
);

export const ScenarioFleet = Type.Object(
  {
    cars: Type.Integer({ minimum: 1, maximum: 100_000 }),
    telemetryHz: Type.Optional(Type.Number({ minimum: 0, maximum: 50 })),
    rampPerSec: Type.Optional(Type.Number({ minimum: 1 })),
    timeline: Type.Array(FleetStep, { minItems: 1 }),
  },
  strict,
);

/**
 * Backend settings a scenario is written for: the keys of the service's configuration (services/config.ts)
 * that change what the rules decide, with the same bounds. The trace-fixture recorder (`anshin trace
 * fixtures`) starts its stack with them, so the fixture is this scenario as written. `anshin sim run`
 * cannot set a running backend's configuration: it names them in its report and warns when the backend
 * shows another value (the lockout's length after a clear-down).
 */
export const ScenarioConfig = Type.Object(
  {
    /** D3.5: minutes the lockout runs on after the call is cleared (the backend's default is 60). */
    LOCKOUT_MINUTES: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 60 })),
    /** D1.2: the delta-V (km/h) from which an impact opens a case (the backend's default is 8). */
    IMPACT_DELTA_V_KMH: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 200 })),
  },
  strict,
);
export type ScenarioConfig = Static<typeof ScenarioConfig>;

export const Scenario = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '^[a-z0-9-]+$' }),
    description: Type.String(),
    /** Rules the scenario exercises, e.g. [D1.1, D3.1]. */
    rules: Type.Optional(Type.Array(Type.String({ pattern: '^D\\d+\\.\\d+$' }))),
    /** The backend configuration the scenario is written for (see ScenarioConfig). */
    config: Type.Optional(ScenarioConfig),
    /** Free-form notes on the backend, printed by `sim run` before the run; settings go in `config`. */
    assumes: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Z_]+$' }), Type.String())),
    cars: Type.Optional(Type.Array(ScenarioCar)),
    fleet: Type.Optional(ScenarioFleet),
  },
  { ...strict, $id: 'Scenario' },
);
export type Scenario = Static<typeof Scenario>;
