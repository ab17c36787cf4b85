/**
 * The configurable numbers of the rules, from the environment to the decision: IMPACT_DELTA_V_KMH (D1.2)
 * and LOCKOUT_MINUTES (D3.5), read by loadConfig into the real IncidentService on a VirtualClock.
 */
import { describe, it } from 'vitest';
import { MINUTE, T0 } from '../helpers/domain-fixtures.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, airbag, at, impact, operator, sos } from '../helpers/domain-steps.js';
import { impacts, lockout, opened, vehicle } from '../helpers/domain-then.js';

describe('configurable rule numbers', () => {
  it('D1.2 with IMPACT_DELTA_V_KMH unset the threshold is 8 km/h: 7.9 is recorded, 8 opens a priority-1 case', async () => {
    const spec = domainSpec({ env: {} });
    await spec.when(impact(7.9, { eventId: 'below' })).then(opened());
    await spec
      .when(impact(8, { eventId: 'at' }))
      .then(
        opened({ eventId: 'at', priority: 1 }),
        impacts([
          { eventId: 'below', escalated: false },
          { eventId: 'at', escalated: true },
        ]),
      );
  });

  it('D1.2 IMPACT_DELTA_V_KMH=12 moves the threshold: 11.9 is recorded, 12 escalates', async () => {
    const spec = domainSpec({ env: { IMPACT_DELTA_V_KMH: '12' } });
    await spec.when(impact(11.9)).then(opened());
    await spec.when(impact(12)).then(opened({ trigger: 'impact' }));
  });

  it('D3.5 with LOCKOUT_MINUTES unset the lockout ends 60 minutes after clear-down, by its timer', async () => {
    const spec = domainSpec({ env: {} });
    await spec
      .given(airbag(), after(4 * MINUTE))
      .when(operator('hangup'))
      .then(lockout({ until: T0 + 64 * MINUTE }));
    await spec.when(at(T0 + 64 * MINUTE - 1)).then(vehicle({ lockout: { until: T0 + 64 * MINUTE } }));
    await spec.when(at(T0 + 64 * MINUTE)).then(vehicle({ lockout: { features: [], holdingSessionIds: [], until: null } }));
  });

  it('D3.5 LOCKOUT_MINUTES=15 shortens the lockout to 15 minutes after clear-down', async () => {
    const spec = domainSpec({ env: { LOCKOUT_MINUTES: '15' } });
    await spec.given(sos()).when(operator('hangup')).then(lockout({ until: T0 + 15 * MINUTE }));
    await spec.when(after(15 * MINUTE)).then(lockout({ active: false }));
  });
});
