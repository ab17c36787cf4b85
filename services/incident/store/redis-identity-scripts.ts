/**
 * Issue 11: the Redis adapter's audit and identity scripts. Each runs atomically, so a change and its
 * audit entry are written together or not at all (the audit never records what did not happen, nor
 * misses what did). Like the commit script, a script checks everything before its first write, and
 * reads records with patterns rather than cjson.
 *
 * Audit entries are passed the same way to every script that writes them, the commit included
 * (redis-scripts.ts): KEYS `audit` (stream), `audit:ids` (hash); ARGV the key prefix, the entry count
 * n, then per entry (id, at ms, caseId or '', actor id, entry JSON). `AUDIT_APPEND` below appends them:
 * stream entry `{n}-0` with n one above the stream's last (so XADD can never fail), the id in
 * `audit:ids`, n in the case's and the actor's index (`{prefix}audit:case:{caseId}`,
 * `{prefix}audit:actor:{actorId}`, built here from the prefix as LOAD_VEHICLE builds record keys).
 */
import type { Redis } from 'ioredis';

/** Lua: `audit_append(streamKey, idsKey, prefix, count, argv, firstArg)`; returns the next ARGV index. */
export const AUDIT_APPEND = `
local function audit_append(stream, ids, prefix, count, argv, a)
  if count == 0 then return a end
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  local n = last and tonumber(string.match(last[1], '^(%d+)')) or 0
  for i = 1, count do
    local id, at, caseId, actor, json = argv[a], argv[a + 1], argv[a + 2], argv[a + 3], argv[a + 4]
    a = a + 5
    n = n + 1
    redis.call('XADD', stream, string.format('%d-0', n), 'at', at, 'case', caseId, 'actor', actor, 'json', json)
    redis.call('HSET', ids, id, n)
    if caseId ~= '' then redis.call('ZADD', prefix .. 'audit:case:' .. caseId, n, n) end
    redis.call('ZADD', prefix .. 'audit:actor:' .. actor, n, n)
  end
  return a
end
`;

/** The scripts below: KEYS 1 audit, 2 audit:ids, then their own; ARGV 1 prefix, 2 n, the n entries, then their own from `a`. */
const HEAD = `${AUDIT_APPEND}
local count = tonumber(ARGV[2])
local a = 3 + 5 * count
`;
const APPEND = `audit_append(KEYS[1], KEYS[2], ARGV[1], count, ARGV, 3)`;

/** The audit entries alone (a refused request, changing nothing else). */
const APPEND_AUDIT = `${HEAD}
${APPEND}
return 1
`;

/** KEYS 3 accounts, 4 accounts:admins. ARGV a: username, account JSON, role. */
const CREATE_ACCOUNT = `${HEAD}
if redis.call('HEXISTS', KEYS[3], ARGV[a]) == 1 then return 'exists' end
redis.call('HSET', KEYS[3], ARGV[a], ARGV[a + 1])
if ARGV[a + 2] == 'admin' then redis.call('SADD', KEYS[4], ARGV[a]) end
${APPEND}
return 'ok'
`;

/** KEYS 3 accounts, 4 accounts:admins, 5 account:{username}:tokens. ARGV a: username. */
const DELETE_ACCOUNT = `${HEAD}
local username = ARGV[a]
if redis.call('HEXISTS', KEYS[3], username) == 0 then return 'not_found' end
if redis.call('SISMEMBER', KEYS[4], username) == 1 and redis.call('SCARD', KEYS[4]) <= 1 then return 'last_admin' end
redis.call('HDEL', KEYS[3], username)
redis.call('SREM', KEYS[4], username)
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[5])) do redis.call('DEL', ARGV[1] .. 'token:' .. hash) end
redis.call('DEL', KEYS[5])
${APPEND}
return 'ok'
`;

/**
 * A login. KEYS 3 accounts, 4 token:{hash}, 5 account:{username}:tokens, 6 loginfail:user:{username}.
 * ARGV a: username, token JSON, ttl ms, token hash. Forgets the account's expired tokens on the way.
 */
const CREATE_TOKEN = `${HEAD}
if redis.call('HEXISTS', KEYS[3], ARGV[a]) == 0 then return 'no_account' end
for _, hash in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  if redis.call('EXISTS', ARGV[1] .. 'token:' .. hash) == 0 then redis.call('SREM', KEYS[5], hash) end
end
redis.call('SET', KEYS[4], ARGV[a + 1], 'PX', ARGV[a + 2])
redis.call('SADD', KEYS[5], ARGV[a + 3])
redis.call('DEL', KEYS[6])
${APPEND}
return 'ok'
`;

/** A logout. KEYS 3 token:{hash}, 4 account:{username}:tokens. ARGV a: token hash. 0 (no audit) when already gone. */
const DELETE_TOKEN = `${HEAD}
if redis.call('DEL', KEYS[3]) == 0 then return 0 end
redis.call('SREM', KEYS[4], ARGV[a])
${APPEND}
return 1
`;

/** KEYS 3..: loginfail:{key}. ARGV a: window ms (starts at a key's first failure). */
const LOGIN_FAILED = `${HEAD}
for i = 3, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[a]) end
end
${APPEND}
return 1
`;

/** KEYS 3 vehcred:{vin}. ARGV a: record JSON, channel, message. Returns 1 when it replaced one (a rotation). */
const PUT_VEHICLE_CREDENTIAL = `${HEAD}
local existed = redis.call('EXISTS', KEYS[3])
redis.call('SET', KEYS[3], ARGV[a])
${APPEND}
redis.call('PUBLISH', ARGV[a + 1], ARGV[a + 2])
return existed
`;

/**
 * `listAudit` (audit-policy.ts, restated: Lua cannot import it). KEYS 1 audit, 2 audit:ids, 3 the index
 * to walk (a case's or an actor's zset; the stream itself when ARGV 7 is '0'). ARGV: 1 before id or '',
 * 2 since ms or '', 3 slack ms, 4 limit, 5 caseId or '', 6 actor id or '', 7 '1' to walk the index.
 * Returns {'unknown'} when `before` names no entry, else {'ok', {entry JSON...}} newest first.
 */
const LIST_AUDIT = `
local stop = nil
if ARGV[1] ~= '' then
  local n = redis.call('HGET', KEYS[2], ARGV[1])
  if not n then return {'unknown'} end
  stop = tonumber(n) - 1
end
local since = ARGV[2] ~= '' and tonumber(ARGV[2]) or nil
local slack, limit, caseId, actor = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
local out = {}
-- false: stop the walk (the page is full, or the entries are older than since allows).
local function visit(fields)
  local f = {}
  for i = 1, #fields, 2 do f[fields[i]] = fields[i + 1] end
  local at = tonumber(f['at'])
  if since and at < since - slack then return false end
  if (caseId == '' or f['case'] == caseId) and (actor == '' or f['actor'] == actor) and (not since or at >= since) then
    table.insert(out, f['json'])
  end
  return #out < limit
end
if stop and stop < 1 then return {'ok', out} end
if ARGV[7] == '1' then
  local offset = 0
  while true do
    local ns = redis.call('ZREVRANGEBYSCORE', KEYS[3], stop or '+inf', '-inf', 'LIMIT', offset, 128)
    if #ns == 0 then break end
    for _, n in ipairs(ns) do
      local e = redis.call('XRANGE', KEYS[1], n .. '-0', n .. '-0')[1]
      if e and not visit(e[2]) then return {'ok', out} end
    end
    offset = offset + #ns
  end
else
  local cursor = stop and (stop .. '-0') or '+'
  while true do
    local entries = redis.call('XREVRANGE', KEYS[1], cursor, '-', 'COUNT', 128)
    if #entries == 0 then break end
    for _, e in ipairs(entries) do
      if not visit(e[2]) then return {'ok', out} end
    end
    local n = tonumber(string.match(entries[#entries][1], '^(%d+)'))
    if n <= 1 then break end
    cursor = (n - 1) .. '-0'
  end
end
return {'ok', out}
`;

type Arg = string | number;

export interface IdentityScripts {
  anshinAppendAudit(numKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  anshinCreateAccount(numKeys: number, ...keysAndArgs: Arg[]): Promise<'ok' | 'exists'>;
  anshinDeleteAccount(numKeys: number, ...keysAndArgs: Arg[]): Promise<'ok' | 'not_found' | 'last_admin'>;
  anshinCreateToken(numKeys: number, ...keysAndArgs: Arg[]): Promise<'ok' | 'no_account'>;
  anshinDeleteToken(numKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  anshinLoginFailed(numKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  anshinPutVehicleCredential(numKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
  anshinListAudit(audit: string, ids: string, index: string, ...args: Arg[]): Promise<['unknown'] | ['ok', string[]]>;
}

export type IdentityRedis = Redis & IdentityScripts;

/** Registers the scripts on a connection (idempotent per connection). */
export function withIdentityScripts(redis: Redis): IdentityRedis {
  const r = redis as IdentityRedis;
  if (typeof r.anshinAppendAudit === 'function') return r;
  redis.defineCommand('anshinAppendAudit', { lua: APPEND_AUDIT });
  redis.defineCommand('anshinCreateAccount', { lua: CREATE_ACCOUNT });
  redis.defineCommand('anshinDeleteAccount', { lua: DELETE_ACCOUNT });
  redis.defineCommand('anshinCreateToken', { lua: CREATE_TOKEN });
  redis.defineCommand('anshinDeleteToken', { lua: DELETE_TOKEN });
  redis.defineCommand('anshinLoginFailed', { lua: LOGIN_FAILED });
  redis.defineCommand('anshinPutVehicleCredential', { lua: PUT_VEHICLE_CREDENTIAL });
  redis.defineCommand('anshinListAudit', { lua: LIST_AUDIT, numberOfKeys: 3 });
  return r;
}
