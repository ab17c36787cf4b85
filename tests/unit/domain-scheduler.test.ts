/**
 * D3.5 across a restart: lockout end times live in the store, and a new IncidentService re-arms their
 * timers at start-up, so a lockout ends on time even if the instance that set it is gone, and one that
 * fell due while no instance ran ends at once.
 */
import { describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.js';
import { LOCKOUT_MS, MINUTE, T0, VIN } from '../helpers/domain-fixtures.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, at, down, operator, restart, sos } from '../helpers/domain-steps.js';
import { commands, lockout, vehicle } from '../helpers/domain-then.js';

/** Given: an SOS call cleared at T0 + 1 min on the first instance, which then stops. */
const clearedSosThenDown = () => [sos(), after(MINUTE), operator('hangup'), down()];
const until = T0 + MINUTE + LOCKOUT_MS;

describe('D3.5 lockout timers survive a restart', () => {
  it('D3.5 a lockout that fell due while no instance ran ends as soon as the next instance starts, and Wi-Fi comes back', async () => {
    const spec = domainSpec();
    // nothing ran: the stored lockout is still there
    await spec
      .given(...clearedSosThenDown())
      .when(at(until + 30 * MINUTE))
      .then(vehicle({ lockout: { until } }), commands([]));
    await spec
      .when(restart())
      .then(
        vehicle({ lockout: { features: [], holdingSessionIds: [], until: null } }),
        commands([
          { cmd: 'lockout', vin: VIN, active: false, features: [], until: null },
          { cmd: 'wifi', enabled: true },
        ]),
        () => expect(spec.commands().flatMap((c) => (c.cmd === 'wifi' ? [c.enabled] : []))).toEqual([false, true]),
        () => expect(spec.sent.filter((s) => s.topic === topics.lockout(VIN)).at(-1)?.payload).toMatchObject({ active: false, features: [], until: null }),
      );
  });

  it('D3.5 a lockout still running at restart is re-armed and ends exactly at its end, not before', async () => {
    const spec = domainSpec();
    await spec
      .given(...clearedSosThenDown(), after(10 * MINUTE), restart())
      .when(at(until - 1))
      .then(lockout({ active: true }), vehicle({ lockout: { until } }));
    await spec.when(at(until)).then(vehicle({ lockout: { until: null } }));
  });
});
