import { randomBytes } from 'node:crypto';
import { topics, type Dispatch, type ServiceCarDispatchedMessage, type TrackView } from '../../protocol/index.js';
import type { Config } from '../config.js';
import type { OutboxDraft } from './core.js';
import { decideTrack } from './domain/index.js';
import { DomainError } from './domain-errors.js';
import type { ServiceCars } from './service-cars.js';
import type { Store } from './store/port.js';

/** 32 random bytes, base64url: 43 characters, 256 bits; the only credential of a tracking link. */
export function randomTrackToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens from a seeded source (`next()` in [0, 1)): trace recording, so the same scenario records the same bytes. Not for production. */
export function seededTrackTokens(next: () => number): () => string {
  return () => Buffer.from(Array.from({ length: 32 }, () => Math.floor(next() * 256))).toString('base64url');
}

/** PUBLIC_BASE_URL, else `http://HOST:HTTP_PORT` (an IPv6 host in brackets), without a trailing slash. */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'HTTP_PORT'>): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.HTTP_PORT}`;
}

export interface TrackingDeps {
  store: Store;
  config: Config;
  serviceCars: ServiceCars;
  /** Draws a tracking token; random by default, seeded in trace recording and replay (byte-stable goldens). */
  newToken?: () => string;
}

/**
 * Issue 12 part 6, contract "Service-car arrival" (D4.6): the owner's tracking link and app message.
 * A `road_service` dispatch whose service car reports its position gets a token (dispatch-actions.ts):
 * indexed in the store (token -> case) just before the commit that puts it on the dispatch, and the
 * commit's outbox carries the app message, so it is sent after the commit and never lost (port.ts
 * OutboxMessage); it is sent once, with the dispatch's creation.
 */
export class Tracking {
  readonly newToken: () => string;
  private readonly base: string;

  constructor(private readonly deps: TrackingDeps) {
    this.newToken = deps.newToken ?? randomTrackToken;
    this.base = publicBaseUrl(deps.config);
  }

  trackUrl(token: string): string {
    return `${this.base}/track/${token}`;
  }

  /** Before the commit: a failed commit leaves an entry naming a case without the token, which finds nothing. */
  index(token: string, caseId: string): Promise<void> {
    return this.deps.store.putTrackToken(token, caseId);
  }

  /** D4.6: `v1/vehicles/{vin}/app-messages`, QoS 1, through the commit's outbox. */
  appMessage(vin: string, d: Dispatch): OutboxDraft | null {
    if (!d.trackToken) return null;
    const message: ServiceCarDispatchedMessage = { v: 1, kind: 'service_car_dispatched', caseId: d.caseId, dispatchId: d.id, trackUrl: this.trackUrl(d.trackToken) };
    return { key: `app:${d.id}`, topic: topics.appMessages(vin), payload: JSON.stringify(message), qos: 1, retain: false };
  }

  /** `GET /v1/track/{token}`: 404 `track_not_found` for an unknown token, 410 `track_ended` once the dispatch is finished. */
  async view(token: string): Promise<TrackView> {
    const caseId = await this.deps.store.findTrackToken(token);
    const c = caseId ? await this.deps.store.getCase(caseId) : null;
    const d = c?.dispatches?.find((x) => x.trackToken === token);
    const fix = d?.serviceCar ? await this.deps.serviceCars.fix(d.serviceCar.id) : null;
    const answer = decideTrack(c, token, fix, this.deps.config.SERVICE_CAR_SPEED_KMH);
    if ('view' in answer) return answer.view;
    if (answer.refused === 'track_ended') throw new DomainError('track_ended', 'the service car has arrived or was called off: this link has ended', { status: answer.status });
    throw new DomainError('track_not_found', 'no such tracking link', {});
  }
}
