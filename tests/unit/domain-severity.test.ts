import { describe, expect, it } from 'vitest';
import type { EventOf } from '../../protocol/index.js';
import { SECOND, VIN, VIN_B, VIN_C, event } from '../helpers/domain-fixtures.js';
import { domainSpec, type Step } from '../helpers/domain-spec.js';
import { after, airbag, send, sos, trouble } from '../helpers/domain-steps.js';
import { opened, queue, theCase } from '../helpers/domain-then.js';

/** An impact over the threshold with the richer crash data (contract "Richer crash data"). */
function crash(data: Partial<EventOf<'impact'>['data']> & { deltaVKmh: number }, opts: { vin?: string; occupants?: number } = {}): Step {
  return {
    label: `impact ${JSON.stringify(data)}`,
    run: (spec) => send(event('impact', { at: spec.clock.now(), vin: opts.vin ?? VIN, occupants: opts.occupants ?? 1, data })).run(spec),
  };
}

describe('D4.3 severity: a crash case carries the estimate the doctor reads', () => {
  it('D4.3 an airbag case carries {probability, band, recommend, model, inputs}: a belted driver alone, frontal at 48 km/h, is the published 38.9%', async () => {
    await domainSpec()
      .when(airbag({ occupants: 1, data: { deployed: ['driver_front'], deltaVKmh: 48, direction: 'front', seatbelts: { driver: true } } }))
      .then(
        opened({
          trigger: 'airbag',
          severity: {
            probability: 0.389,
            band: 'high',
            recommend: ['doctor_heli'],
            model: 'anshin-mais3@1',
            inputs: { deltaVKmh: 48, direction: 'front', multipleImpacts: false, rollover: false, seats: [{ seat: 'driver', side: 'front', belted: true, age: null, probability: 0.389 }], assumed: [] },
          },
        }),
      );
  });

  it('D4.3 right-hand drive: a right impact hits the driver\'s near side, far worse than the same impact on the left', async () => {
    const spec = domainSpec();
    await spec.when(crash({ deltaVKmh: 30, direction: 'right', seatbelts: { driver: true } }, { vin: VIN }), crash({ deltaVKmh: 30, direction: 'left', seatbelts: { driver: true } }, { vin: VIN_B })).then();
    const right = (await spec.caseOf({ vin: VIN })).severity!;
    const left = (await spec.caseOf({ vin: VIN_B })).severity!;
    expect(right.inputs.seats[0]).toMatchObject({ seat: 'driver', side: 'near' });
    expect(left.inputs.seats[0]).toMatchObject({ seat: 'driver', side: 'far' });
    expect(right.probability).toBeGreaterThan(left.probability * 2);
  });

  it('D4.3 the front passenger counts when occupants >= 2: a left impact on a two-up car shows the passenger\'s near-side estimate', async () => {
    await domainSpec()
      .when(crash({ deltaVKmh: 30, direction: 'left', seatbelts: { driver: true, passenger: true } }, { occupants: 2 }))
      .then(theCase({ severity: expect.objectContaining({ inputs: expect.objectContaining({ seats: [expect.objectContaining({ side: 'far' }), expect.objectContaining({ seat: 'passenger', side: 'near' })] }) }) }), async (o) => {
        const s = (await o.spec.caseOf()).severity!;
        expect(s.probability).toBe(s.inputs.seats[1]!.probability);
      });
  });

  it('D4.3 a belted driver at 10 km/h is low (under 0.05) and recommends nothing', async () => {
    await domainSpec()
      .when(crash({ deltaVKmh: 10, direction: 'right', multipleImpacts: true, seatbelts: { driver: true }, occupantAges: [85] }))
      .then(theCase({ severity: expect.objectContaining({ band: 'low', recommend: [] }) }), async (o) => expect((await o.spec.caseOf()).severity!.probability).toBeLessThan(0.05));
  });

  it('D4.3 missing inputs take the cautious value: an airbag with nothing but `deployed` is high and names what it assumed', async () => {
    await domainSpec()
      .when(airbag())
      .then(
        theCase({
          severity: expect.objectContaining({
            band: 'high',
            recommend: ['doctor_heli'],
            inputs: expect.objectContaining({ deltaVKmh: 48, direction: null, assumed: ['deltaVKmh', 'direction', 'occupants', 'seatbelts.driver', 'seatbelts.passenger'] }),
          }),
        }),
      );
  });

  it('D4.3 DOCTOR_HELI_THRESHOLD decides doctor_heli: 0.10 by default; at 0.50 the same 38.9% crash recommends nothing (still high)', async () => {
    const same = () => airbag({ occupants: 1, data: { deployed: ['driver_front'], deltaVKmh: 48, direction: 'front', seatbelts: { driver: true } } });
    await domainSpec().when(same()).then(theCase({ severity: expect.objectContaining({ recommend: ['doctor_heli'] }) }));
    await domainSpec({ env: { DOCTOR_HELI_THRESHOLD: '0.5' } })
      .when(same())
      .then(theCase({ severity: expect.objectContaining({ probability: 0.389, band: 'high', recommend: [] }) }));
  });

  it('D4.3 SOS and trouble cases carry no severity (no crash data)', async () => {
    await domainSpec()
      .when(sos({ vin: VIN }), trouble({ vin: VIN_B }))
      .then(opened({ trigger: 'sos' }, { trigger: 'trouble' }), async (o) => {
        for (const c of await o.spec.store.listCases('open')) expect(c.severity).toBeUndefined();
      });
  });

  it('D4.3 contract: inside priority 1 the higher probability comes first whatever the age; priority still comes first', async () => {
    await domainSpec()
      .given(
        sos({ vin: VIN_C }),
        after(SECOND),
        crash({ deltaVKmh: 12, direction: 'front', seatbelts: { driver: true } }, { vin: VIN }),
        after(SECOND),
        crash({ deltaVKmh: 60, direction: 'right', seatbelts: { driver: false } }, { vin: VIN_B }),
      )
      .when()
      .then(
        queue([
          { vin: VIN_B, priority: 1, severity: expect.objectContaining({ band: 'high' }) },
          { vin: VIN, priority: 1, severity: expect.objectContaining({ band: 'low' }) },
          { vin: VIN_C, priority: 2 },
        ]),
      );
  });
});
