import { describe, expect, it } from 'vitest';
import { MaybePosition, validator } from '../../protocol/index.js';
import { VirtualClock } from '../../lib/clock/index.js';
import { mulberry32 } from '../../simulator/car/index.js';
import { ROUTE_DEFS, RouteDriver, fixAt, getRoute, haversineKm, routeIds, type Drivable } from '../../simulator/routes/index.js';

const checkPosition = validator(MaybePosition);

describe('routes shipped as data', () => {
  it('ships Tomei, Meishin, Shuto and a rural Hokkaido road', () => {
    expect(routeIds()).toEqual(['tomei', 'meishin', 'shuto-c2', 'hokkaido-274']);
  });

  it.each(ROUTE_DEFS.map((d) => [d.id]))('%s: kilometre posts increase, tunnels lie on the route, points are in Japan', (id) => {
    const r = getRoute(id);
    for (let i = 1; i < r.kms.length; i++) expect(r.kms[i]!).toBeGreaterThan(r.kms[i - 1]!);
    for (const t of r.def.tunnels) {
      expect(t.fromKm).toBeGreaterThanOrEqual(r.startKm);
      expect(t.toKm).toBeLessThanOrEqual(r.endKm);
      expect(t.toKm).toBeGreaterThan(t.fromKm);
    }
    for (const [lat, lon] of r.def.points) {
      expect(lat).toBeGreaterThan(24);
      expect(lat).toBeLessThan(46);
      expect(lon).toBeGreaterThan(122);
      expect(lon).toBeLessThan(146);
    }
  });

  it('poseAt interpolates along the polyline and names the last interchange', () => {
    const r = getRoute('tomei');
    const atsugi = r.kmOf('Atsugi IC')!;
    const p = r.poseAt(atsugi + 1);
    expect(p.lastLabel).toBe('Atsugi IC');
    const a = r.poseAt(atsugi);
    expect(haversineKm(a.lat, a.lon, p.lat, p.lon)).toBeCloseTo(1, 1);
    expect(r.poseAt(-5).km).toBe(r.startKm);
    expect(r.poseAt(1e6).km).toBe(r.endKm);
  });
});

describe('D2.7: position fixes', () => {
  it('D2.7: inside the Yamate Tunnel there is no fix (position null)', () => {
    const r = getRoute('shuto-c2');
    expect(fixAt(r, r.poseAt(10), mulberry32(1))).toBeNull();
  });

  it('D2.7: inside the Nihonzaka Tunnel the fix is dead-reckoned, trusted false', () => {
    const r = getRoute('tomei');
    const fix = fixAt(r, r.poseAt(156), mulberry32(1));
    expect(fix?.trusted).toBe(false);
    expect(checkPosition.check(fix)).toBe(true);
  });

  it('in the open the fix is trusted and within a few noise widths of the road', () => {
    const r = getRoute('meishin');
    const rng = mulberry32(9);
    for (let km = 0; km < r.endKm; km += 3.7) {
      const pose = r.poseAt(km);
      if (pose.tunnel) continue;
      const fix = fixAt(r, pose, rng)!;
      expect(fix.trusted).toBe(true);
      expect(haversineKm(pose.lat, pose.lon, fix.lat, fix.lon) * 1000).toBeLessThan(r.def.noiseM * 6);
    }
  });
});

describe('RouteDriver on the virtual clock', () => {
  it('drives at the set speed and sends telemetry at the set rate', async () => {
    const clock = new VirtualClock();
    const sent: { position: MaybePosition; speedKmh: number }[] = [];
    const car: Drivable = { position: null, speedKmh: 0, sendTelemetry: () => sent.push({ position: car.position, speedKmh: car.speedKmh }) };
    const d = new RouteDriver(car, { route: getRoute('tomei'), clock, speedKmh: 100, telemetryHz: 2, seed: 3 });
    d.start();
    await clock.advance(60_000);
    d.stop();
    expect(sent).toHaveLength(120);
    expect(d.km).toBeCloseTo(100 / 60, 5);
    for (const s of sent) expect(checkPosition.check(s.position)).toBe(true);
    expect(clock.pending()).toBe(0);
  });

  it('D2.7: telemetry through the Yamate Tunnel carries position null, then a fix again', async () => {
    const clock = new VirtualClock();
    const seen: MaybePosition[] = [];
    const car: Drivable = { position: null, speedKmh: 0, sendTelemetry: () => seen.push(car.position) };
    const d = new RouteDriver(car, { route: getRoute('shuto-c2'), clock, speedKmh: 60, telemetryHz: 1, startKm: 17.5 });
    d.start();
    await clock.advance(180_000); // 3 km: leaves the tunnel at 18.2, stops at the end (~19.8)
    d.stop();
    expect(seen[0]).toBeNull();
    expect(seen.at(-1)).not.toBeNull();
    expect(d.km).toBeCloseTo(getRoute('shuto-c2').endKm, 6);
    expect(d.speedKmh).toBe(0);
  });
});
