/**
 * Every key the Redis adapter uses, in one place. All start with the configurable prefix (`anshin:`),
 * so several deployments or tests can share one Redis. Standalone Redis (or Sentinel) only: one commit
 * touches a car's keys and the global feed keys together, which Redis Cluster would spread over slots.
 *
 * | key                       | type   | holds |
 * | ---                       | ---    | --- |
 * | `veh:{vin}`               | hash   | `v` (version), `json` (VehicleState) |
 * | `veh:{vin}:open`          | zset   | ids of the car's open cases, in the order they were opened |
 * | `seen:{vin}:{eventId}`    | string | dedupe marker, with a TTL |
 * | `case:{id}`, `session:{id}` | string | JSON records |
 * | `cases:open`              | zset   | open queue: score priority * 1e13 + openedAt ms, member id |
 * | `cases:closed`            | zset   | closed cases, score closedAt ms |
 * | `alerts:{vin}`, `impacts:{vin}`, `cmds:{vin}` | list | JSON records, oldest first |
 * | `cmds:{vin}:ids`          | hash   | commandId -> how many kept records carry it |
 * | `cmds:{vin}:acks`         | hash   | commandId -> ack JSON (recorded after the command) |
 * | `lockouts`                | zset   | vin scored by lockout `until` (epoch ms) |
 * | `feed:seq`                | string | last feed seq (INCR) |
 * | `feed`                    | stream | entry id `{seq}-0`, fields `seq`, `msg` (the draft JSON) |
 * | `outbox`                  | hash   | key -> OutboxMessage JSON, committed and not yet confirmed sent |
 * | `outbox:ids`              | hash   | key -> the pending message's id (compared by `outboxDone`) |
 * | `outbox:due`              | zset   | key scored by its commit time (epoch ms) |
 * | `audit`                   | stream | issue 11: entry id `{n}-0` (n counts from 1 in commit order), fields `at` (ms), `case`, `actor` (actor id), `json` |
 * | `audit:ids`               | hash   | audit entry id -> n (for `before` paging) |
 * | `audit:case:{caseId}`, `audit:actor:{actorId}` | zset | n scored by n: the entries of a case, of an actor |
 * | `accounts`                | hash   | username -> AccountRecord JSON |
 * | `accounts:admins`         | set    | usernames whose role is admin (the last one cannot be deleted) |
 * | `token:{sha256}`          | string | TokenRecord JSON, expiring with the token (PX) |
 * | `account:{username}:tokens` | set  | the account's token hashes (deleted with the account) |
 * | `loginfail:{key}`         | string | failed logins in the current window (INCR, PX) |
 * | `vehcred:{vin}`           | string | VehicleCredentialRecord JSON |
 * | channel `vehcred`         | pub/sub | `{vin, by}` on every credential issued or rotated |
 * | `ctoken:{sha256}`         | string | D4.5: the VIN a contact-confirmation token was issued for, expiring with the token (PX) |
 * | `track:{token}`           | string | issue 12 part 6 (D4.6): the case a tracking token was issued on, with a TTL |
 * | `svc:{id}`                | hash   | D4.6: a service car's newest fix: `at` (ISO), `fix` (JSON), with a TTL |
 * | `pos:{vin}`               | hash   | issue 12 (D2.1): the car's newest fix: `at` (epoch ms), `last` (JSON), with a TTL |
 * | `pos:{vin}:track`         | zset   | its kept track points (JSON) scored by their time, with a TTL |
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  vehicle(vin: string): string {
    return `${this.prefix}veh:${vin}`;
  }
  vehicleOpen(vin: string): string {
    return `${this.prefix}veh:${vin}:open`;
  }
  position(vin: string): string {
    return `${this.prefix}pos:${vin}`;
  }
  positionTrack(vin: string): string {
    return `${this.prefix}pos:${vin}:track`;
  }
  seen(vin: string, eventId: string): string {
    return `${this.prefix}seen:${vin}:${eventId}`;
  }
  case(id: string): string {
    return `${this.prefix}case:${id}`;
  }
  session(id: string): string {
    return `${this.prefix}session:${id}`;
  }
  get openCases(): string {
    return `${this.prefix}cases:open`;
  }
  get closedCases(): string {
    return `${this.prefix}cases:closed`;
  }
  alerts(vin: string): string {
    return `${this.prefix}alerts:${vin}`;
  }
  impacts(vin: string): string {
    return `${this.prefix}impacts:${vin}`;
  }
  commands(vin: string): string {
    return `${this.prefix}cmds:${vin}`;
  }
  commandIds(vin: string): string {
    return `${this.prefix}cmds:${vin}:ids`;
  }
  commandAcks(vin: string): string {
    return `${this.prefix}cmds:${vin}:acks`;
  }
  get lockouts(): string {
    return `${this.prefix}lockouts`;
  }
  get feedSeq(): string {
    return `${this.prefix}feed:seq`;
  }
  get feed(): string {
    return `${this.prefix}feed`;
  }
  get feedEpoch(): string {
    return `${this.prefix}feed:epoch`;
  }
  get outbox(): string {
    return `${this.prefix}outbox`;
  }
  get outboxIds(): string {
    return `${this.prefix}outbox:ids`;
  }
  get outboxDue(): string {
    return `${this.prefix}outbox:due`;
  }
  /** D4.5: contact-confirmation token index (contacts-port.ts). */
  contactToken(tokenHash: string): string {
    return `${this.prefix}ctoken:${tokenHash}`;
  }
  lease(name: string): string {
    return `${this.prefix}lease:${name}`;
  }
  /** Issue 12 part 6 (D4.6), redis-service-cars.ts. */
  trackToken(token: string): string {
    return `${this.prefix}track:${token}`;
  }
  serviceCar(id: string): string {
    return `${this.prefix}svc:${id}`;
  }
  // Issue 11: audit and identity (redis-identity.ts).
  get audit(): string {
    return `${this.prefix}audit`;
  }
  get auditIds(): string {
    return `${this.prefix}audit:ids`;
  }
  /** The Lua scripts build these from the prefix too (`audit:case:`, `audit:actor:`): keep them in step. */
  auditCase(caseId: string): string {
    return `${this.prefix}audit:case:${caseId}`;
  }
  auditActor(actorId: string): string {
    return `${this.prefix}audit:actor:${actorId}`;
  }
  get accounts(): string {
    return `${this.prefix}accounts`;
  }
  get admins(): string {
    return `${this.prefix}accounts:admins`;
  }
  token(hash: string): string {
    return `${this.prefix}token:${hash}`;
  }
  accountTokens(username: string): string {
    return `${this.prefix}account:${username}:tokens`;
  }
  loginFailures(key: string): string {
    return `${this.prefix}loginfail:${key}`;
  }
  vehicleCredential(vin: string): string {
    return `${this.prefix}vehcred:${vin}`;
  }
  get vehicleCredentialChannel(): string {
    return `${this.prefix}vehcred`;
  }
}

/** Open-queue score: priority first, then age (contract); the member (case id) breaks ties. */
export function openScore(priority: number, openedAt: string): number {
  // priority <= 3 and epoch ms < 1e13 (year 2286): at most 4e13, well inside a double's exact range.
  return priority * 1e13 + Date.parse(openedAt);
}

/** Closed-list score: newest first when read in reverse; a case without closedAt sorts last. */
export function closedScore(closedAt: string | undefined): number {
  return closedAt === undefined ? 0 : Date.parse(closedAt);
}
