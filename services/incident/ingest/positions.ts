import type { Logger } from 'pino';
import { isoTime, type KnownPosition, type Position, type Telemetry } from '../../../protocol/index.js';
import type { Clock } from '../../../lib/clock/index.js';
import { BatchFlush } from '../batch-flush.js';
import type { Config } from '../../config.js';
import type { KnownPositions } from '../domain/index.js';
import type { Store } from '../store/port.js';
import type { PositionUpdate } from '../store/positions-port.js';
import { OpenCaseIndex } from './open-cases.js';

/** Track points an instance keeps per car: TRACK_LENGTH (3) and the newest. */
const LOCAL_TRACK = 4;
/** Numbers per track point in a car's ring: lat, lon, heading (NaN: none), trusted (1 or 0), time (epoch ms). */
const POINT = 5;
/** Metres per degree of latitude (and of longitude at the equator): the same sphere as domain distanceMetres. */
const M_PER_DEG = (6_371_000 * Math.PI) / 180;
const NO_TRACK: KnownPosition[] = [];

/**
 * One car's positions as this instance saw them, in numbers only: the newest fix in plain fields and
 * the track (points at least POSITION_MIN_METRES apart) in a ring of doubles. A car lives for the
 * process's lifetime, so it is in the old generation of the heap; a sample that stored a fresh object
 * or string in it (its `ts`, a track point) would be promoted by the next scavenges: at 10,000 cars
 * at 1 Hz, the garbage collector was the largest part of what positions added to the stack's profile
 * (bench/README.md, "What limits each mode").
 * Objects are made only when something reads a position: an event's lookup, a batch, a case update.
 */
class CarPositions {
  lat = 0;
  lon = 0;
  /** NaN: the fix had no heading. */
  heading = NaN;
  trusted = false;
  /** The newest fix's time, epoch ms (-Infinity: none yet). */
  atMs = -Infinity;
  /** Oldest first from `first`, `count` points, POINT numbers each. */
  private readonly ring = new Float64Array(LOCAL_TRACK * POINT);
  private first = 0;
  private count = 0;
  /** How many of the newest track points the store has not been sent yet. */
  unsaved = 0;
  /** Waiting in the next batch. */
  dirty = false;
  /** The time and trust of the last fix handed to a batch (-Infinity: none yet). */
  savedAtMs = -Infinity;
  savedTrusted = false;
  /** cos(latitude) of the newest track point: the distance check below needs no trigonometry per sample. */
  private cosLat = 1;

  constructor(readonly vin: string) {}

  /** Takes a sample: five number writes, and a track point when it is POSITION_MIN_METRES from the newest one. */
  set(p: Position, atMs: number, minMetres: number): void {
    this.lat = p.lat;
    this.lon = p.lon;
    this.heading = p.headingDeg ?? NaN;
    this.trusted = p.trusted;
    this.atMs = atMs;
    if (this.count > 0) {
      const newest = this.slot(this.count - 1);
      // equirectangular, squared (domain/positions.ts distanceMetres without the square root)
      const dy = (p.lat - this.ring[newest]!) * M_PER_DEG;
      const dx = (p.lon - this.ring[newest + 1]!) * M_PER_DEG * this.cosLat;
      if (dx * dx + dy * dy < minMetres * minMetres) return;
    }
    if (this.count === LOCAL_TRACK) this.first = (this.first + 1) % LOCAL_TRACK;
    else this.count++;
    const at = this.slot(this.count - 1);
    this.ring[at] = this.lat;
    this.ring[at + 1] = this.lon;
    this.ring[at + 2] = this.heading;
    this.ring[at + 3] = this.trusted ? 1 : 0;
    this.ring[at + 4] = atMs;
    this.cosLat = Math.cos((p.lat * Math.PI) / 180);
    this.unsaved = Math.min(this.unsaved + 1, this.count);
  }

  /** Whether the store's copy is due: a new track point, a change of trust, or a fix `refreshMs` newer than the saved one. */
  dueSave(refreshMs: number): boolean {
    return this.unsaved > 0 || this.trusted !== this.savedTrusted || this.atMs - this.savedAtMs >= refreshMs;
  }

  last(): KnownPosition {
    return knownPosition(this.lat, this.lon, this.heading, this.trusted, this.atMs);
  }

  /** The newest `n` track points (all by default), oldest first. */
  track(n = this.count): KnownPosition[] {
    const out: KnownPosition[] = [];
    for (let i = this.count - Math.min(n, this.count); i < this.count; i++) {
      const at = this.slot(i);
      const r = this.ring;
      out.push(knownPosition(r[at]!, r[at + 1]!, r[at + 2]!, r[at + 3] === 1, r[at + 4]!));
    }
    return out;
  }

  known(): KnownPositions {
    return { last: this.last(), track: this.track() };
  }

  /** Index in `ring` of the i-th point, oldest first. */
  private slot(i: number): number {
    return ((this.first + i) % LOCAL_TRACK) * POINT;
  }
}

function knownPosition(lat: number, lon: number, heading: number, trusted: boolean, atMs: number): KnownPosition {
  const p: KnownPosition = { lat, lon, at: isoTime(atMs), trusted };
  if (!Number.isNaN(heading)) p.headingDeg = heading;
  return p;
}

export interface PositionTrackerDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'POSITION_FLUSH_MS' | 'POSITION_MIN_METRES' | 'POSITION_CASE_UPDATE_SECONDS' | 'POSITION_REFRESH_SECONDS'>;
  logger: Logger;
}

/**
 * Issue 12, "Position" (D2.1, D2.7; eCall's recent locations). Telemetry updates each car's last known
 * position here, in memory, at the cost of a map lookup and a few field writes: no store write per
 * sample (10,000 cars at 1 Hz). On a store other processes share (Redis), every POSITION_FLUSH_MS
 * the cars due a save go in one batch (`Store.savePositions`: one pipelined round of scripts): those
 * with a new track point (POSITION_MIN_METRES moved) or a change of trust, and the others once per
 * POSITION_REFRESH_SECONDS, so that a driving car is saved every few samples rather than every one
 * and a parked one rarely. That is how an instance handling a car's event learns the fixes another
 * instance received (`known`: this instance's and the store's, newest first): within
 * POSITION_MIN_METRES of the car, and at most POSITION_REFRESH_SECONDS plus one flush old. On the
 * memory store, which lives in this process only, nothing is saved or read back. Cars with an open
 * case are known from the feed (open-cases.ts), so that a sample can tell, without reading the store,
 * whether the case's position
 * is due an update (domain/positions.ts `positionWorthUpdating`).
 */
export class PositionTracker {
  private readonly cars = new Map<string, CarPositions>();
  private dirty: CarPositions[] = [];
  private readonly batches: BatchFlush;
  readonly openCases: OpenCaseIndex;
  private readonly unsubscribe: () => void;
  private readonly minMetres: number;
  /** Whether other processes read the positions this one saves (`PositionStore.positionsShared`). */
  private readonly shared: boolean;
  private readonly refreshMs: number;

  constructor(private readonly deps: PositionTrackerDeps) {
    const { config, store } = deps;
    this.minMetres = config.POSITION_MIN_METRES;
    this.shared = store.positionsShared;
    this.refreshMs = config.POSITION_REFRESH_SECONDS * 1000;
    this.openCases = new OpenCaseIndex({ positionCaseUpdateMs: config.POSITION_CASE_UPDATE_SECONDS * 1000, positionMinMetres: config.POSITION_MIN_METRES });
    this.unsubscribe = store.onFeed((m) => this.openCases.apply(m));
    this.batches = new BatchFlush(deps.clock, config.POSITION_FLUSH_MS, () => this.saveDirty());
  }

  /** Knows the cases opened before this instance started (later ones come through the feed). */
  async start(): Promise<void> {
    this.openCases.seed(await this.deps.store.listCases('open'));
  }

  /** Saves what is pending and stops the timer. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.batches.stop();
  }

  /**
   * A telemetry sample (the hot path: every sample of every car). A sample without a fix changes
   * nothing (D2.7: the last fix stays the last known one), nor does one older than the newest fix (QoS 0
   * may reorder). Returns true when the car has an open case whose position is due an update.
   */
  observe(t: Telemetry): boolean {
    const p = t.position;
    if (p === null) return false;
    const atMs = Date.parse(t.ts);
    let car = this.cars.get(t.vin);
    if (car === undefined) {
      car = new CarPositions(t.vin);
      this.cars.set(t.vin, car);
    } else if (atMs <= car.atMs) return false;
    car.set(p, atMs, this.minMetres);
    if (!car.dirty && this.shared && car.dueSave(this.refreshMs)) {
      car.dirty = true;
      this.dirty.push(car);
      this.batches.due();
    }
    return this.openCases.size > 0 && this.openCases.has(t.vin) && this.openCases.due(t.vin, car.last());
  }

  /** What this instance saw of the car, or null. */
  local(vin: string): KnownPositions | null {
    const car = this.cars.get(vin);
    return car ? car.known() : null;
  }

  /**
   * What every instance saw of the car, for an event's decision: this one's fixes and `stored`, what
   * the store holds of the others' (read with the event: `Store.readEvent`), newest first.
   */
  known(vin: string, stored: KnownPositions | null): KnownPositions | null {
    const local = this.local(vin);
    if (!this.shared || !stored) return local;
    if (!local) return stored;
    const last = local.last.at >= stored.last.at ? local.last : stored.last;
    return { last, track: [...local.track, ...stored.track] };
  }

  /** Saves the cars due a save since the last flush, in one batch; a failed batch is tried again next time. */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  private async saveDirty(): Promise<void> {
    const cars = this.dirty;
    if (cars.length === 0) return;
    this.dirty = [];
    const updates: PositionUpdate[] = cars.map((car) => {
      car.dirty = false;
      car.savedAtMs = car.atMs;
      car.savedTrusted = car.trusted;
      const track = car.unsaved > 0 ? car.track(car.unsaved) : NO_TRACK;
      car.unsaved = 0;
      return { vin: car.vin, last: car.last(), track };
    });
    try {
      await this.deps.store.savePositions(updates);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message, cars: cars.length }, 'last known positions not saved; trying again with the next batch');
      cars.forEach((car, i) => {
        car.unsaved = Math.min(LOCAL_TRACK, car.unsaved + updates[i]!.track.length);
        if (!car.dirty) {
          car.dirty = true;
          this.dirty.push(car);
        }
      });
      this.batches.due();
    }
  }
}
