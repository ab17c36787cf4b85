#!/usr/bin/env node
// Provisions an MQTT identity of anshin (issue 11) into an external broker: a vehicle (username = its
// VIN) or one of the two accounts `anshin-service` (the service, MQTT_USERNAME) and `anshin-tool`
// (recorders, bench probes). Self-contained (node: modules only), so it runs where the broker runs.
//
//   node infra/mqtt-credentials.mjs JT2AE92E3K0000001 --mosquitto-passwd /etc/mosquitto/anshin.passwd
//   node infra/mqtt-credentials.mjs JT2AE92E3K0000001 --emqx-url http://127.0.0.1:18083 --emqx-api-key KEY:SECRET [--dry-run]
//
// Prints {username, password} once on stdout (JSON); the password is random (24 bytes, base64url)
// unless --password is given. Mosquitto: writes or replaces the user's line in the password file with
// mosquitto_passwd's own hashing ($7$: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt); then reload
// Mosquitto (kill -HUP), which also disconnects a session whose password changed. EMQX 5: creates the
// user in the built-in database authenticator (or, when it exists, sets its password) and kicks the
// car's sessions; --dry-run prints the HTTP calls as curl commands instead of making them.
import { Buffer } from 'node:buffer';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/* global fetch */

const VIN = /^[A-HJ-NPR-Z0-9]{17}$/;
const ACCOUNTS = ['anshin-service', 'anshin-tool'];
const EMQX_USERS = '/api/v5/authentication/password_based%3Abuilt_in_database/users';

/** A mosquitto_passwd (2.x) line for `username`: `username:$7$101$<salt>$<hash>`, base64. */
export function mosquittoPasswdLine(username, password, salt = randomBytes(12)) {
  const hash = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, 101, 64, 'sha512');
  return `${username}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** The password file's text with `username`'s line replaced (or added). */
export function withPasswdLine(text, username, line) {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith(`${username}:`));
  return `${[...lines, line].join('\n')}\n`;
}

/** The EMQX 5 HTTP calls that provision `username` (create, else set the password), then end its sessions. */
export function emqxCalls(username, password) {
  const enc = encodeURIComponent(username);
  const kick = VIN.test(username) ? [username, `car-${username}`].map((id) => ({ method: 'DELETE', path: `/api/v5/clients/${encodeURIComponent(id)}`, okStatus: [204, 404] })) : [];
  return {
    create: { method: 'POST', path: EMQX_USERS, body: { user_id: username, password, is_superuser: false }, okStatus: [201] },
    update: { method: 'PUT', path: `${EMQX_USERS}/${enc}`, body: { password }, okStatus: [200] },
    kick,
  };
}

async function emqx(baseUrl, apiKey, username, password, dryRun) {
  const calls = emqxCalls(username, password);
  const auth = `Basic ${Buffer.from(apiKey).toString('base64')}`;
  if (dryRun) {
    const curl = (c) => `curl -u '${apiKey.split(':')[0]}:***' -X ${c.method} '${baseUrl}${c.path}'${c.body ? ` -H 'content-type: application/json' -d '${JSON.stringify({ ...c.body, password: '***' })}'` : ''}`;
    process.stderr.write(`${[curl(calls.create), `# on 409 (user exists): ${curl(calls.update)}`, ...calls.kick.map(curl)].join('\n')}\n`);
    return;
  }
  const send = async (c) => {
    const res = await fetch(`${baseUrl}${c.path}`, { method: c.method, headers: { authorization: auth, ...(c.body ? { 'content-type': 'application/json' } : {}) }, ...(c.body ? { body: JSON.stringify(c.body) } : {}) });
    await res.body?.cancel();
    return res.status;
  };
  let status = await send(calls.create);
  if (status === 409) status = await send(calls.update);
  if (status !== 201 && status !== 200) throw new Error(`EMQX answered ${status} for ${username}`);
  for (const k of calls.kick) await send(k);
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      password: { type: 'string' },
      'mosquitto-passwd': { type: 'string' },
      'emqx-url': { type: 'string' },
      'emqx-api-key': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const username = positionals[0];
  if (values.help || !username) {
    process.stderr.write('usage: node infra/mqtt-credentials.mjs <VIN | anshin-service | anshin-tool> [--password P] [--mosquitto-passwd FILE] [--emqx-url URL --emqx-api-key KEY:SECRET [--dry-run]]\n');
    process.exit(values.help ? 0 : 2);
  }
  if (!VIN.test(username) && !ACCOUNTS.includes(username)) {
    process.stderr.write(`${JSON.stringify(username)}: a vehicle's username is its VIN (17 of A-H J-N P R-Z 0-9); else one of ${ACCOUNTS.join(', ')}\n`);
    process.exit(2);
  }
  if (!values['mosquitto-passwd'] && !values['emqx-url']) {
    process.stderr.write('nothing to provision: give --mosquitto-passwd FILE and/or --emqx-url URL\n');
    process.exit(2);
  }
  const password = values.password ?? randomBytes(24).toString('base64url');
  const file = values['mosquitto-passwd'];
  if (file) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    writeFileSync(`${file}.tmp`, withPasswdLine(text, username, mosquittoPasswdLine(username, password)), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    process.stderr.write(`${file}: ${username} written; reload Mosquitto (kill -HUP <pid>) to apply it\n`);
  }
  if (values['emqx-url']) {
    if (!values['emqx-api-key'] && !values['dry-run']) {
      process.stderr.write('--emqx-api-key KEY:SECRET is needed to call the EMQX API\n');
      process.exit(2);
    }
    await emqx(values['emqx-url'].replace(/\/$/, ''), values['emqx-api-key'] ?? 'KEY:SECRET', username, password, values['dry-run']);
  }
  process.stdout.write(`${JSON.stringify({ username, password })}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
