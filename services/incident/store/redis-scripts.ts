/**
 * The Lua scripts of the Redis adapter. A script runs atomically on the Redis server, which is what
 * makes a commit all-or-nothing across instances (port.ts `Commit`): dedupe check, version check, every
 * write and the feed append with its `seq` happen in one step, so two instances that receive the same
 * event open one case. ioredis `defineCommand` sends them with EVALSHA (EVAL once after a Redis restart).
 *
 * Scripts never re-encode a record with cjson (it turns `[]` into `{}` and rounds numbers): records are
 * stored exactly as the adapter serialised them. cjson reads a session id out of a case only under pcall:
 * a record it cannot decode (lone surrogates, nesting past its limit) must never fail a script.
 */
import type { Redis } from 'ioredis';
import { AUDIT_APPEND } from './redis-identity-scripts.js';

/**
 * KEYS: 1 veh, 2 seen, 3 cases:open, 4 cases:closed, 5 lockouts, 6 alerts, 7 impacts, 8 cmds, 9 cmds:ids,
 *       10 cmds:acks, 11 feed:seq, 12 feed, 13 outbox, 14 outbox:ids, 15 outbox:due; 16.. per case (case,
 *       veh:open); then per session.
 * ARGV: 1 expectedVersion, 2 hasEvent (1/0), 3 dedupe TTL s, 4 vehicle JSON, 5 vin, 6 lockout until ms or '',
 *       7 feed history, 8 commands kept per car, 9 feed draft count, then counted groups: cases (id, json,
 *       status, score), sessions (json), alerts (json), impacts (json), commands (commandId, json), outbox
 *       (key, id, json, at); then the feed drafts (json).
 * Issue 11, audit (added after all of the above, so the layout before it is unchanged): KEYS after the
 *       session keys: audit, audit:ids; ARGV after the feed drafts: key prefix, audit entry count n, then
 *       n x (id, at ms, caseId or '', actor id, entry JSON), appended by AUDIT_APPEND
 *       (redis-identity-scripts.ts, prepended to this script) in this same step, after the feed.
 * Returns {'duplicate'} | {'conflict'} | {'ok', firstSeq, count}.
 */
const COMMIT = `
-- Redis does not roll a script back when a command fails half-way: every check and every command that
-- can fail comes before the first write.
local vehKey = KEYS[1]
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return {'duplicate'} end
local current = tonumber(redis.call('HGET', vehKey, 'v') or '0')
if current ~= tonumber(ARGV[1]) then return {'conflict'} end
local version = current + 1

local nFeed = tonumber(ARGV[9])
local first = 0
if nFeed > 0 then
  -- XADD needs ids above the stream's last one; refuse (before writing) if the stream got ahead of seq.
  local last = redis.call('XREVRANGE', KEYS[12], '+', '-', 'COUNT', 1)[1]
  local seq = tonumber(redis.call('GET', KEYS[11]) or '0')
  if last and tonumber(string.match(last[1], '^(%d+)')) > seq then
    return redis.error_reply('ANSHIN feed stream is ahead of feed:seq')
  end
  first = redis.call('INCRBY', KEYS[11], nFeed) - nFeed + 1
end

if ARGV[2] == '1' then redis.call('SET', KEYS[2], '1', 'EX', ARGV[3]) end
redis.call('HSET', vehKey, 'v', version, 'json', ARGV[4])
if ARGV[6] == '' then redis.call('ZREM', KEYS[5], ARGV[5]) else redis.call('ZADD', KEYS[5], ARGV[6], ARGV[5]) end

local a = 10
local k = 16
local n = tonumber(ARGV[a]); a = a + 1
for i = 1, n do
  local id, json, status, score = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  a = a + 4
  redis.call('SET', KEYS[k], json)
  if status == 'open' then
    redis.call('ZADD', KEYS[3], score, id)
    redis.call('ZREM', KEYS[4], id)
    -- NX: a case already open keeps its place, like an insertion-ordered set
    redis.call('ZADD', KEYS[k + 1], 'NX', version * 1024 + i, id)
  else
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZADD', KEYS[4], score, id)
    redis.call('ZREM', KEYS[k + 1], id)
  end
  k = k + 2
end

n = tonumber(ARGV[a]); a = a + 1
for i = 1, n do
  redis.call('SET', KEYS[k], ARGV[a]); k = k + 1; a = a + 1
end

for _, listKey in ipairs({KEYS[6], KEYS[7]}) do
  n = tonumber(ARGV[a]); a = a + 1
  for i = 1, n do
    redis.call('RPUSH', listKey, ARGV[a]); a = a + 1
  end
end

n = tonumber(ARGV[a]); a = a + 1
for i = 1, n do
  redis.call('RPUSH', KEYS[8], ARGV[a + 1])
  redis.call('HINCRBY', KEYS[9], ARGV[a], 1)
  a = a + 2
end
if n > 0 then
  local keep = tonumber(ARGV[8])
  local len = redis.call('LLEN', KEYS[8])
  if len > keep then
    for _, record in ipairs(redis.call('LRANGE', KEYS[8], 0, len - keep - 1)) do
      -- The adapter writes commandId first; no cjson here (a record it cannot decode would fail the commit).
      local id = string.match(record, '^{"commandId":"([^"]*)"')
      if id and redis.call('HINCRBY', KEYS[9], id, -1) <= 0 then
        redis.call('HDEL', KEYS[9], id)
        redis.call('HDEL', KEYS[10], id)
      end
    end
    redis.call('LTRIM', KEYS[8], len - keep, -1)
  end
end

n = tonumber(ARGV[a]); a = a + 1
for i = 1, n do
  local key = ARGV[a]
  redis.call('HSET', KEYS[13], key, ARGV[a + 2])
  redis.call('HSET', KEYS[14], key, ARGV[a + 1])
  redis.call('ZADD', KEYS[15], ARGV[a + 3], key)
  a = a + 4
end

for i = 1, nFeed do
  local seq = first + i - 1
  redis.call('XADD', KEYS[12], 'MAXLEN', '~', ARGV[7], string.format('%d-0', seq), 'seq', seq, 'msg', ARGV[a])
  a = a + 1
end

-- Issue 11: the change's audit entries, in the same step as the change (cannot fail: see AUDIT_APPEND).
if ARGV[a] then audit_append(KEYS[k], KEYS[k + 1], ARGV[a], tonumber(ARGV[a + 1]), ARGV, a + 2) end
return {'ok', first, nFeed}
`;

/**
 * Defines `load_vehicle(veh, open, prefix)`: {vehicleJson or '', caseJsons, sessionJsons}, read
 * together. Shared by LOAD_VEHICLE and READ_EVENT.
 */
const LOAD_VEHICLE_FN = `
local function load_vehicle(veh, open, prefix)
  local json = redis.call('HGET', veh, 'json')
  local cases, sessions = {}, {}
  for _, id in ipairs(redis.call('ZRANGE', open, 0, -1)) do
    local c = redis.call('GET', prefix .. 'case:' .. id)
    if c then
      table.insert(cases, c)
      -- pcall: a record cjson cannot read must not make the whole car unreadable; the adapter then reads
      -- that case's session itself.
      local ok, decoded = pcall(cjson.decode, c)
      local sid = ok and type(decoded) == 'table' and decoded.sessionId
      if type(sid) == 'string' then
        local s = redis.call('GET', prefix .. 'session:' .. sid)
        if s then table.insert(sessions, s) end
      end
    end
  end
  return {json or '', cases, sessions}
end
`;

/** KEYS: veh, veh:open. ARGV: prefix. Returns load_vehicle's {vehicleJson or '', caseJsons, sessionJsons}. */
const LOAD_VEHICLE = `${LOAD_VEHICLE_FN}
return load_vehicle(KEYS[1], KEYS[2], ARGV[1])
`;

/**
 * Issue 15: everything an event's decision reads, in one round trip instead of three (the dedupe
 * check, the car's stored positions, the car). KEYS: seen, veh, veh:open, pos, pos:track. ARGV: prefix.
 * Returns {1} for an event seen before; else {0, vehicleJson or '', caseJsons, sessionJsons, last fix
 * JSON or '', track point JSONs}. A read, not a lock: the commit checks the version and the eventId again.
 */
const READ_EVENT = `${LOAD_VEHICLE_FN}
if redis.call('EXISTS', KEYS[1]) == 1 then return {1} end
local car = load_vehicle(KEYS[2], KEYS[3], ARGV[1])
local last = redis.call('HGET', KEYS[4], 'last')
local track = {}
if last then track = redis.call('ZRANGE', KEYS[5], 0, -1) end
return {0, car[1], car[2], car[3], last or '', track}
`;

/** KEYS: feed:seq, cases:open. ARGV: prefix. Returns {seq, open case JSONs in zset order}, read together. */
const SNAPSHOT = `
local seq = redis.call('GET', KEYS[1]) or '0'
local cases = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local c = redis.call('GET', ARGV[1] .. 'case:' .. id)
  if c then table.insert(cases, c) end
end
return {seq, cases}
`;

/**
 * KEYS: feed:seq, feed. ARGV: since, history. Returns {currentSeq, entries}, read together. The adapter
 * decides with policy.ts `inFeedWindow`, as the memory store does; the script only skips reading
 * entries that the same rule (restated here: Lua cannot import it) would throw away.
 */
const FEED_SINCE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
if since > current or since < math.max(0, current - tonumber(ARGV[2])) then return {current, {}} end
return {current, redis.call('XRANGE', KEYS[2], string.format('%d-0', math.floor(since) + 1), '+')}
`;

/** KEYS: outbox, outbox:ids, outbox:due. ARGV: (key, id) pairs. Deletes each entry still at that id. */
const OUTBOX_DONE = `
for i = 1, #ARGV, 2 do
  local key = ARGV[i]
  if redis.call('HGET', KEYS[2], key) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], key)
    redis.call('HDEL', KEYS[2], key)
    redis.call('ZREM', KEYS[3], key)
  end
end
return 1
`;

/** KEYS: cmds:ids, cmds:acks. ARGV: commandId, ack JSON. Returns 1, or 0 when no such command is kept. */
const RECORD_ACK = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

/** KEYS: lease. ARGV: owner, ttl ms. Extends the lease only while this owner holds it. */
const LEASE_RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS: lease. ARGV: owner. Deletes the lease only while this owner holds it. */
const LEASE_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Arg = string | number;

/** The scripts as ioredis commands (`numKeys, ...keys, ...args` for the variadic commit). */
export interface StoreScripts {
  anshinCommit(numKeys: number, ...keysAndArgs: Arg[]): Promise<[string, number?, number?]>;
  anshinLoadVehicle(veh: string, open: string, prefix: string): Promise<[string, string[], string[]]>;
  anshinReadEvent(seen: string, veh: string, open: string, pos: string, track: string, prefix: string): Promise<[1] | [0, string, string[], string[], string, string[]]>;
  anshinSnapshot(seqKey: string, openKey: string, prefix: string): Promise<[string, string[]]>;
  anshinFeedSince(seqKey: string, feedKey: string, since: Arg, history: Arg): Promise<[number, [string, string[]][]]>;
  anshinRecordAck(idsKey: string, acksKey: string, commandId: string, ack: string): Promise<number>;
  anshinOutboxDone(outbox: string, ids: string, due: string, ...keyIdPairs: string[]): Promise<number>;
  anshinLeaseRenew(key: string, owner: string, ttlMs: Arg): Promise<number>;
  anshinLeaseRelease(key: string, owner: string): Promise<number>;
}

export type ScriptedRedis = Redis & StoreScripts;

/** Registers the scripts on a connection (idempotent per connection). */
export function withScripts(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.anshinCommit === 'function') return r;
  // AUDIT_APPEND defines the Lua function the commit's audit block calls (issue 11).
  redis.defineCommand('anshinCommit', { lua: AUDIT_APPEND + COMMIT });
  redis.defineCommand('anshinLoadVehicle', { lua: LOAD_VEHICLE, numberOfKeys: 2 });
  redis.defineCommand('anshinReadEvent', { lua: READ_EVENT, numberOfKeys: 5 });
  redis.defineCommand('anshinSnapshot', { lua: SNAPSHOT, numberOfKeys: 2 });
  redis.defineCommand('anshinFeedSince', { lua: FEED_SINCE, numberOfKeys: 2 });
  redis.defineCommand('anshinRecordAck', { lua: RECORD_ACK, numberOfKeys: 2 });
  redis.defineCommand('anshinOutboxDone', { lua: OUTBOX_DONE, numberOfKeys: 3 });
  redis.defineCommand('anshinLeaseRenew', { lua: LEASE_RENEW, numberOfKeys: 1 });
  redis.defineCommand('anshinLeaseRelease', { lua: LEASE_RELEASE, numberOfKeys: 1 });
  return r;
}
