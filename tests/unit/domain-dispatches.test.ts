import { describe, expect, it } from 'vitest';
import type { Agency, Dispatch, DispatchDestination } from '../../protocol/index.js';
import { decideDealer, decideDispatch, decideDispatchUpdate, decideNoResponse, greatCircleKm, isRefusal, nearestDealer, type DispatchUpdate } from '../../services/incident/domain/index.js';
import { DEALERS } from '../../services/incident/dealers/index.js';
import { MINUTE, SECOND, T0, TOKYO, VIN, event } from '../helpers/domain-fixtures.js';
import { domainSpec, type DomainSpec, type Step, type StepResult } from '../helpers/domain-spec.js';
import { after, airbag, operator, send, sos, telemetry, trouble } from '../helpers/domain-steps.js';
import { feed, refused, theCase, unchanged, vehicle } from '../helpers/domain-then.js';

type RunResult = Awaited<ReturnType<DomainSpec['running']['core']['run']>>;
function fromRun(r: RunResult): StepResult {
  if (isRefusal(r)) return { status: 'refused', code: r.refused, message: r.message, details: r.details as Record<string, unknown> };
  return { status: r.status };
}

/** The operator sends `agency` for the car's latest case, through the real core (as the HTTP route does). */
function dispatch(agency: Agency, opts: { by?: string; destination?: DispatchDestination; coverage?: Record<string, unknown> } = {}): Step {
  return {
    label: `dispatch ${agency}`,
    async run(spec) {
      const c = await spec.caseOf();
      const request = { caseId: c.id, operatorId: opts.by ?? 'op-1', agency, ...(opts.destination ? { destination: opts.destination } : {}), ...(opts.coverage ? { coverage: opts.coverage as never } : {}) };
      return fromRun(await spec.running.core.run(c.vin, (aggregate, ctx) => decideDispatch(aggregate, request, ctx, spec.running.dealers)));
    },
  };
}

/** The operator moves the case's n-th dispatch (0: the first) to `status`. */
function move(n: number, status: DispatchUpdate['status'], opts: { etaMinutes?: number; by?: string } = {}): Step {
  return {
    label: `dispatch #${n} -> ${status}`,
    async run(spec) {
      const c = await spec.caseOf();
      const d = c.dispatches![n]!;
      const update: DispatchUpdate = { caseId: c.id, dispatchId: d.id, operatorId: opts.by ?? 'op-1', status, ...(opts.etaMinutes !== undefined ? { etaMinutes: opts.etaMinutes } : {}) };
      return fromRun(await spec.running.core.run(c.vin, (aggregate, ctx) => decideDispatchUpdate(aggregate, update, ctx)));
    },
  };
}

/** D4.2: the operator presses "no response" on the car's latest case. */
function noResponse(opts: { by?: string } = {}): Step {
  return {
    label: 'no response',
    async run(spec) {
      const c = await spec.caseOf();
      return fromRun(await spec.running.core.run(c.vin, (aggregate, ctx) => decideNoResponse(aggregate, { caseId: c.id, operatorId: opts.by ?? 'op-1' }, ctx, spec.running.dealers)));
    },
  };
}

/** The owner registers a dealer (extension `PUT /v1/vehicles/{vin}/dealer`). */
function registerDealer(dealerId: string): Step {
  return { label: `dealer ${dealerId}`, run: async (spec) => fromRun(await spec.running.core.run(VIN, (aggregate, ctx) => decideDealer(aggregate, dealerId, ctx))) };
}

const dispatches = (expected: Partial<Dispatch>[]) => theCase({ dispatches: expected.map((d) => expect.objectContaining(d)) });
const at = (ms: number) => new Date(ms).toISOString();
/** The crash whose severity (38.9%) recommends a doctor helicopter (D4.3, domain-severity.test.ts). */
/** A mild crash (belted driver alone, frontal at 10 km/h, under 0.05, D4.3): no doctor helicopter. */
const mildCrash = () => airbag({ occupants: 1, data: { deployed: ['driver_front'], deltaVKmh: 10, direction: 'front', seatbelts: { driver: true } } });
const mildImpact = (): Step => ({
  label: 'mild impact',
  run: (spec) => send(event('impact', { at: spec.clock.now(), occupants: 1, data: { deltaVKmh: 9, direction: 'rear', seatbelts: { driver: true } } })).run(spec),
});
const severeCrash = () => airbag({ occupants: 1, data: { deployed: ['driver_front'], deltaVKmh: 48, direction: 'front', seatbelts: { driver: true } } });

describe('D4.1 dispatches: the operator notifies the right agency; the case carries it', () => {
  it('D4.1 a fire/ambulance dispatch is requested at the car position at the event, by the operator, with case.updated on the feed', async () => {
    await domainSpec()
      .given(airbag(), operator('answer'), after(MINUTE))
      .when(dispatch('fire_ambulance'))
      .then(
        feed(['case.updated']),
        dispatches([{ agency: 'fire_ambulance', status: 'requested', requestedAt: at(T0 + MINUTE), requestedBy: 'op-1', position: { lat: TOKYO.lat, lon: TOKYO.lon, at: at(T0), trusted: true } }]),
        (o) => expect(o.commands()).toEqual([]),
      );
  });

  it('D4.1 a dispatch on a case without an event position goes to the last known position (D2.7)', async () => {
    await domainSpec()
      .given(sos({ position: null }), after(SECOND), telemetry({ lat: 35.0, lon: 136.9, trusted: false }))
      .when(dispatch('police'))
      .then(dispatches([{ agency: 'police', position: { lat: 35.0, lon: 136.9, at: at(T0 + SECOND), trusted: false } }]));
  });

  it('contract: status moves forward, steps may be skipped, with the ETA; each step is kept in the history', async () => {
    await domainSpec()
      .given(airbag(), operator('answer'), dispatch('fire_ambulance'), after(MINUTE))
      .when(move(0, 'en_route', { etaMinutes: 12 }), after(10 * MINUTE), move(0, 'completed'))
      .then(
        feed(['case.updated', 'case.updated']),
        dispatches([
          {
            status: 'completed',
            etaMinutes: 12,
            updatedAt: at(T0 + 11 * MINUTE),
            history: [
              { status: 'requested', at: at(T0), by: 'op-1' },
              { status: 'en_route', at: at(T0 + MINUTE), by: 'op-1', etaMinutes: 12 },
              { status: 'completed', at: at(T0 + 11 * MINUTE), by: 'op-1' },
            ],
          },
        ]),
      );
  });

  it('contract: a completed dispatch cannot move again: dispatch_finished, nothing changes', async () => {
    await domainSpec().given(airbag(), operator('answer'), dispatch('police'), move(0, 'completed')).when(move(0, 'cancelled')).then(refused('dispatch_finished', { status: 'completed' }));
  });

  it('contract: a cancelled dispatch cannot move again: dispatch_finished', async () => {
    await domainSpec().given(airbag(), operator('answer'), dispatch('police'), move(0, 'cancelled')).when(move(0, 'en_route')).then(refused('dispatch_finished', { status: 'cancelled' }));
  });

  it('contract: a backward move is refused with dispatch_status_backwards; cancelling from on_scene is allowed', async () => {
    const spec = domainSpec();
    await spec.given(airbag(), operator('answer'), dispatch('police'), move(0, 'on_scene')).when(move(0, 'en_route')).then(refused('dispatch_status_backwards', { status: 'on_scene', requested: 'en_route' }));
    await spec.when(move(0, 'cancelled')).then(dispatches([{ status: 'cancelled' }]));
  });

  it('contract: the same status again with a new ETA updates it; with nothing new it is a no-op', async () => {
    const spec = domainSpec();
    await spec.given(airbag(), operator('answer'), dispatch('road_service'), move(0, 'en_route', { etaMinutes: 30 })).when(move(0, 'en_route', { etaMinutes: 20 })).then(dispatches([{ status: 'en_route', etaMinutes: 20 }]));
    await spec.when(move(0, 'en_route')).then(unchanged(), (o) => expect(o.result.status).toBe('noop'));
  });

  it('D2: a dispatch on a case another operator holds is refused with case_taken; on a closed case with case_closed', async () => {
    const spec = domainSpec();
    await spec.given(airbag(), operator('answer', { by: 'op-1' })).when(dispatch('police', { by: 'op-2' })).then(refused('case_taken', { operatorId: 'op-1' }));
    await spec.given(operator('hangup'), operator('close')).when(dispatch('police')).then(refused('case_closed'));
  });

  it('contract: a dispatch id not on the case is dispatch_not_found', async () => {
    await domainSpec()
      .given(airbag())
      .when({
        label: 'move an unknown dispatch',
        run: async (spec) => {
          const c = await spec.caseOf();
          return fromRun(await spec.running.core.run(VIN, (a, ctx) => decideDispatchUpdate(a, { caseId: c.id, dispatchId: 'nope', operatorId: 'op-1', status: 'en_route' }, ctx)));
        },
      })
      .then(refused('dispatch_not_found', { dispatchId: 'nope' }));
  });
});

describe('D4.2 no response: fire and police at once to the last known position', () => {
  it('D4.2: no response on an airbag case dispatches fire and police at the last known position', async () => {
    await domainSpec()
      .given(mildCrash(), operator('answer'), after(30 * SECOND), telemetry({ lat: 35.69, lon: 139.77, trusted: true }), after(10 * SECOND), telemetry({ lat: 35.7, lon: 139.78, trusted: true }))
      .when(noResponse())
      .then(
        feed(['case.updated']),
        dispatches([
          { agency: 'fire_ambulance', status: 'requested', noResponse: true, position: { lat: 35.7, lon: 139.78, at: at(T0 + 40 * SECOND), trusted: true } },
          { agency: 'police', status: 'requested', noResponse: true, position: { lat: 35.7, lon: 139.78, at: at(T0 + 40 * SECOND), trusted: true } },
        ]),
      );
  });

  it('D4.2 D4.3: no response on a crash whose severity recommends it also sends the doctor helicopter', async () => {
    await domainSpec()
      .given(severeCrash(), operator('answer'))
      .when(noResponse())
      .then(dispatches([{ agency: 'fire_ambulance' }, { agency: 'police' }, { agency: 'doctor_heli' }]));
  });

  it('D4.2: no response on an impact or SOS case works too; on a trouble case it is refused with not_an_emergency', async () => {
    await domainSpec().given(mildImpact(), operator('answer')).when(noResponse()).then(dispatches([{ agency: 'fire_ambulance' }, { agency: 'police' }]));
    await domainSpec().given(sos(), operator('answer')).when(noResponse()).then(dispatches([{ agency: 'fire_ambulance' }, { agency: 'police' }]));
    await domainSpec().given(trouble(), operator('answer')).when(noResponse()).then(refused('not_an_emergency', { trigger: 'trouble' }));
  });

  it('D4.2: a trouble case that an airbag event joined (one call at a time) is an emergency', async () => {
    await domainSpec().given(trouble(), mildCrash()).when(noResponse()).then(dispatches([{ agency: 'fire_ambulance' }, { agency: 'police' }]));
  });

  it('D4.2: a second no-response creates nothing while fire and police are on their way; a cancelled one is sent again', async () => {
    const spec = domainSpec();
    await spec.given(mildCrash(), operator('answer'), noResponse()).when(noResponse()).then(unchanged(), (o) => expect(o.result.status).toBe('noop'));
    await spec.given(move(1, 'cancelled')).when(noResponse()).then(dispatches([{ agency: 'fire_ambulance', status: 'requested' }, { agency: 'police', status: 'cancelled' }, { agency: 'police', status: 'requested' }]));
  });
});

describe('D4.4 destinations: the registered dealer, else the nearest one', () => {
  it('D4.4: a road_service dispatch without a registered dealer goes to the nearest dealer by great-circle distance', async () => {
    // Near Yokohama station: the Yokohama sample dealer is nearest.
    await domainSpec()
      .given(trouble({ position: { lat: 35.466, lon: 139.62, trusted: true } }), operator('answer'))
      .when(dispatch('road_service'))
      .then(dispatches([{ agency: 'road_service', destination: expect.objectContaining({ kind: 'nearest_dealer', dealerId: 'sample-yokohama', name: expect.stringContaining('Yokohama') }) }]));
  });

  it('D4.4: with a registered dealer, dealer transport goes there, any distance', async () => {
    await domainSpec()
      .given(registerDealer('sample-naha'), trouble(), operator('answer'))
      .when(dispatch('dealer_transport'))
      .then(dispatches([{ destination: { kind: 'registered_dealer', dealerId: 'sample-naha', name: expect.stringContaining('Naha'), position: { lat: 26.2124, lon: 127.6792 } } }]), vehicle({ dealerId: 'sample-naha' }));
  });

  it('D4.4: a destination the operator gives is kept as given; police and fire get none', async () => {
    const address: DispatchDestination = { kind: 'address', name: '1-1 Marunouchi, Chiyoda, Tokyo', position: { lat: 35.68, lon: 139.76 } };
    await domainSpec().given(trouble(), operator('answer'), dispatch('road_service', { destination: address })).when(dispatch('police')).then(dispatches([{ destination: address }, { agency: 'police' }]), (o) => expect(o.results).toHaveLength(1));
    const spec = domainSpec();
    await spec.given(airbag()).when(dispatch('police')).then(async () => expect((await spec.caseOf()).dispatches![0]!.destination).toBeUndefined());
  });

  it('D4.4: nearest dealer and great-circle distance: Tokyo to Osaka is about 400 km; from Sapporo the Sapporo dealer', () => {
    expect(greatCircleKm({ lat: 35.6812, lon: 139.7671 }, { lat: 34.7025, lon: 135.4959 })).toBeGreaterThan(395);
    expect(greatCircleKm({ lat: 35.6812, lon: 139.7671 }, { lat: 34.7025, lon: 135.4959 })).toBeLessThan(405);
    expect(nearestDealer({ lat: 43.05, lon: 141.35 }, DEALERS)?.dealer.id).toBe('sample-sapporo');
    expect(nearestDealer({ lat: 0, lon: 0 }, [])).toBeNull();
  });
});

describe('issue 13 part 4: the coverage assessment on a road_service dispatch', () => {
  const coverage = { programme: 'jcb-car-rescue-365', eligible: true, refusals: [], work: [{ kind: 'tow', covered: true }], programmeName: 'JCB', version: null, japanTime: '2026-11-21 19:00', guidance: [], explanations: [] };

  it('issue 13: a road_service dispatch keeps the assessment the member was told', async () => {
    await domainSpec().given(trouble(), operator('answer')).when(dispatch('road_service', { coverage })).then(dispatches([{ agency: 'road_service', coverage: coverage as never }]));
  });

  it('issue 13: a coverage assessment on another agency is refused with coverage_not_applicable', async () => {
    await domainSpec().given(trouble(), operator('answer')).when(dispatch('police', { coverage })).then(refused('coverage_not_applicable', { agency: 'police' }));
  });
});
