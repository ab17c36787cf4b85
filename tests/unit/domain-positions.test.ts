import { describe, expect, it, vi } from 'vitest';
import type { KnownPosition, Position } from '../../protocol/index.js';
import { distanceMetres, recentPositions } from '../../services/incident/domain/index.js';
import { MINUTE, SECOND, T0, VIN, VIN_B, VIN_C } from '../helpers/domain-fixtures.js';
import { domainSpec } from '../helpers/domain-spec.js';
import { after, airbag, operator, restart, sos, telemetry } from '../helpers/domain-steps.js';
import { feed, opened, theCase, unchanged } from '../helpers/domain-then.js';

/** A point `north` metres north of Ebina on the Tomei (one degree of latitude is about 111.2 km). */
const along = (north: number, trusted = true): Position => ({ lat: 35.44 + north / 111_195, lon: 139.39, headingDeg: 0, trusted });
const known = (p: Position, ms: number): KnownPosition => ({ lat: p.lat, lon: p.lon, at: new Date(ms).toISOString(), trusted: p.trusted, ...(p.headingDeg !== undefined ? { headingDeg: p.headingDeg } : {}) });

describe('D2.1 D2.7 last known position and track', () => {
  it('D2.7 D2.1 an SOS from a tunnel without a fix shows the fix from a minute before as the last known position', async () => {
    await domainSpec()
      .given(telemetry(along(0)), after(30 * SECOND), telemetry(null), after(30 * SECOND), telemetry(null))
      .when(sos({ position: null }))
      .then(opened({ trigger: 'sos', position: null, lastKnownPosition: known(along(0), T0), track: [] }));
  });

  it('D2.1 the track: up to the last 3 positions before the event, oldest first, each at least 50 m from the next (GNSS noise is not a track)', async () => {
    const samples = [0, 100, 200, 300, 320, 400].map((m, i) => [after(i === 0 ? 0 : 5 * SECOND), telemetry(along(m))]).flat();
    await domainSpec()
      .given(...samples, after(5 * SECOND))
      .when(airbag({ position: along(500) }))
      .then(
        opened({
          position: along(500),
          lastKnownPosition: known(along(500), T0 + 30 * SECOND),
          // 320 m is 20 m from 300 m: noise, not a point of the track
          track: [known(along(200), T0 + 10 * SECOND), known(along(300), T0 + 15 * SECOND), known(along(400), T0 + 25 * SECOND)],
        }),
      );
  });

  it('D2.1 an untrusted fix (a tunnel, multipath) is the last known one, marked trusted: false; the trusted ones before it are the track', async () => {
    await domainSpec()
      .given(telemetry(along(0)), after(5 * SECOND), telemetry(along(150)), after(5 * SECOND), telemetry(along(300, false)))
      .when(sos({ position: null }))
      .then(opened({ lastKnownPosition: known(along(300, false), T0 + 10 * SECOND), track: [known(along(0), T0), known(along(150), T0 + 5 * SECOND)] }));
  });

  it('D2.1 telemetry writes nothing per sample: no commit, no feed, no command while no case is open', async () => {
    const steps = Array.from({ length: 20 }, (_, i) => [telemetry(along(i * 30)), after(100)]).flat();
    await domainSpec().when(...steps).then(unchanged());
  });

  it('D2.1 positions go to the store in one batch per POSITION_FLUSH_MS, only for the cars that moved', async () => {
    const spec = domainSpec();
    const save = vi.spyOn(spec.store, 'savePositions');
    const burst = [VIN, VIN_B, VIN_C].flatMap((vin) => Array.from({ length: 10 }, (_, i) => telemetry(along(i * 10), { vin, at: T0 + i * 50 })));
    await spec.when(...burst, after(999)).then();
    expect(save).not.toHaveBeenCalled();
    await spec.when(after(1)).then();
    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]![0].map((u) => u.vin)).toEqual([VIN, VIN_B, VIN_C]);
    expect(save.mock.calls[0]![0][0]!.last).toEqual(known(along(90), T0 + 450));
    // a quiet second: nothing to save, no batch
    await spec.when(after(5 * SECOND)).then();
    expect(save).toHaveBeenCalledTimes(1);
    expect(await spec.store.loadPositions(VIN)).toMatchObject({ last: known(along(90), T0 + 450) });
  });

  it('D2.1 on a shared store a car is saved when it moves 50 m or its fix changes trust, else once per POSITION_REFRESH_SECONDS (10 s)', async () => {
    const spec = domainSpec();
    const save = vi.spyOn(spec.store, 'savePositions');
    const saved = () => save.mock.calls.flatMap((c) => c[0].map((u) => u.last));
    await spec.when(telemetry(along(0)), after(SECOND)).then();
    expect(saved()).toEqual([known(along(0), T0)]);
    // GNSS noise around a parked car for 9 s: within 50 m of the saved fix, not yet 10 s newer
    for (let i = 1; i <= 9; i++) await spec.when(telemetry(along(i % 2 === 0 ? 10 : 30)), after(SECOND)).then();
    expect(saved()).toHaveLength(1);
    // 10 s after the saved fix: saved again, where the car is now
    await spec.when(telemetry(along(20)), after(SECOND)).then();
    expect(saved().at(-1)).toEqual(known(along(20), T0 + 10 * SECOND));
    // a move of 50 m from the newest track point is saved at once, as is a change of trust
    await spec.when(telemetry(along(60)), after(SECOND), telemetry(along(70, false)), after(SECOND)).then();
    expect(saved().slice(-2)).toEqual([known(along(60), T0 + 11 * SECOND), known(along(70, false), T0 + 12 * SECOND)]);
  });

  it('D2.1 another instance sees the fixes this one received: an event decided after a restart on the same store', async () => {
    await domainSpec()
      .given(telemetry(along(0)), after(5 * SECOND), telemetry(along(100)), restart())
      .when(sos({ position: null }))
      .then(opened({ lastKnownPosition: known(along(100), T0 + 5 * SECOND), track: [known(along(0), T0)] }));
  });

  it('D2.1 an older sample (QoS 0 may reorder) does not replace a newer fix', async () => {
    await domainSpec()
      .given(telemetry(along(100), { at: T0 + 2 * SECOND }), telemetry(along(0), { at: T0 + SECOND }), after(3 * SECOND))
      .when(sos({ position: null }))
      .then(opened({ lastKnownPosition: known(along(100), T0 + 2 * SECOND) }));
  });
});

describe('D2.1 an open case is kept up to date from telemetry', () => {
  it('D2.1 at most one case.updated per car per 10 s (POSITION_CASE_UPDATE_SECONDS), and only for a move of 50 m or more', async () => {
    // The SOS call rings throughout: answer targets far off, so that its escalation (contract "Answer targets") stays out of these feeds.
    const spec = domainSpec({ env: { ANSWER_TARGET_S: '10,3600,3600' } });
    await spec.given(sos({ position: along(0) })).then();
    // within 10 s of the case's fix: no update, however far the car went
    await spec.when(after(2 * SECOND), telemetry(along(60)), after(3 * SECOND), telemetry(along(140))).then(feed([]));
    // 10 s on and 250 m further: one update, with the track before it
    await spec
      .when(after(5 * SECOND), telemetry(along(250)))
      .then(feed(['case.updated']), theCase({ lastKnownPosition: known(along(250), T0 + 10 * SECOND), track: [known(along(0), T0), known(along(60), T0 + 2 * SECOND), known(along(140), T0 + 5 * SECOND)] }));
    // 10 s later but only 30 m away: the car is standing still (noise), no update
    await spec.when(after(10 * SECOND), telemetry(along(280))).then(feed([]));
    // a fix that loses trust is worth telling, once 10 s passed
    await spec.when(after(10 * SECOND), telemetry(along(285, false))).then(feed(['case.updated']), theCase({ lastKnownPosition: known(along(285, false), T0 + 30 * SECOND) }));
  });

  it('D2.7 a case opened without any position takes the first fix at once', async () => {
    await domainSpec()
      .given(sos({ position: null }))
      .when(after(SECOND), telemetry(along(0)))
      .then(feed(['case.updated']), theCase({ position: null, lastKnownPosition: known(along(0), T0 + SECOND) }));
  });

  it('D2.1 a closed case is not updated; a car without an open case commits nothing', async () => {
    await domainSpec()
      .given(sos({ position: along(0) }), operator('hangup'), operator('close', { resolution: 'advice_given' }), after(MINUTE))
      .when(telemetry(along(1000)))
      .then(unchanged());
  });

  it('D2.1 the update interval and the distance are configurable: POSITION_CASE_UPDATE_SECONDS=0, POSITION_MIN_METRES=5', async () => {
    await domainSpec({ env: { POSITION_CASE_UPDATE_SECONDS: '0', POSITION_MIN_METRES: '5' } })
      .given(sos({ position: along(0) }))
      .when(after(SECOND), telemetry(along(10)), after(SECOND), telemetry(along(12)), after(SECOND), telemetry(along(20)))
      .then(feed(['case.updated', 'case.updated']), theCase({ lastKnownPosition: known(along(20), T0 + 3 * SECOND) }));
  });
});

describe('positions: the pure rules', () => {
  it('distanceMetres: 100 m north is 100 m; a degree of longitude at 35° N is about 91 km', () => {
    expect(distanceMetres(along(0), along(100))).toBeCloseTo(100, 0);
    expect(distanceMetres({ lat: 35, lon: 139 }, { lat: 35, lon: 140 }) / 1000).toBeCloseTo(91.1, 0);
  });

  it('recentPositions: the newest first given wins a tie; no position at all is null with an empty track', () => {
    expect(recentPositions([null, undefined], 50)).toEqual({ lastKnownPosition: null, track: [] });
    const a = known(along(0), T0);
    const b = { ...known(along(10), T0), trusted: false };
    expect(recentPositions([a, b], 50).lastKnownPosition).toBe(a);
  });
});
