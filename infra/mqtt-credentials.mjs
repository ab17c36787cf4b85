#!/usr/bin/env node
// Provisions an MQTT identity of anshin (issue 11) into an external broker: a vehicle (username = its
// VIN), a road-service car (D4.6, username `svc-<id>`), or one of the accounts `anshin-service` (the
// service, MQTT_USERNAME), `anshin-tool` (recorders, bench probes) and `anshin-mail` (the mail gateway,
// D4.5). Self-contained (node: modules only), so it runs where the broker runs.
//
//   node infra/mqtt-credentials.mjs JT2AE92E3K0000001 --mosquitto-passwd /etc/mosquitto/anshin.passwd
//   node infra/mqtt-credentials.mjs JT2AE92E3K0000001 --emqx-url http://127.0.0.1:18083 --emqx-api-key KEY:SECRET [--dry-run]
//   node infra/mqtt-credentials.mjs svc-jaf-7 --mosquitto-passwd /etc/mosquitto/anshin.passwd --mosquitto-acl /etc/mosquitto/anshin-acl.conf
//   node infra/mqtt-credentials.mjs svc-jaf-7 --emqx-url … --emqx-api-key … --emqx-acl /opt/emqx/etc/anshin-acl.conf
//
// A service car's rule names its id (an ACL pattern cannot drop the `svc-` prefix), so for `svc-<id>`
// `--mosquitto-acl FILE` / `--emqx-acl FILE` also write its rule into the installed ACL file (a copy of
// infra/mosquitto-acl.conf / emqx-acl.conf): publish `v1/service-cars/<id>/position`, nothing else.
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
const ACCOUNTS = ['anshin-service', 'anshin-tool', 'anshin-mail'];
/** D4.6: a service car's username: `svc-` and its id, a safe topic level (protocol/service-car.ts: 1-64 of A-Z a-z 0-9 _ -). */
const SERVICE_CAR = /^svc-([A-Za-z0-9_-]{1,64})$/;

/** The service car a username names (`svc-<id>` -> `<id>`), or null. */
export function serviceCarOf(username) {
  return SERVICE_CAR.exec(username)?.[1] ?? null;
}

/** Is this a username the tool provisions? A VIN, a service car or one of the accounts: never a name with +, # or /. */
export function validUsername(username) {
  return VIN.test(username) || serviceCarOf(username) !== null || ACCOUNTS.includes(username);
}

/** The Mosquitto ACL text with `svc-<id>`'s block (its own position, write only) replaced or added at the end. */
export function withMosquittoServiceCar(text, id) {
  const user = `svc-${id}`;
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === `user ${user}`) {
      while (i + 1 < lines.length && lines[i + 1].trim().startsWith('topic ')) i++;
      if (out.length > 0 && out.at(-1) === '' && (lines[i + 1] ?? '') === '') i++; // the blank line around the block
      continue;
    }
    out.push(lines[i]);
  }
  while (out.length > 0 && out.at(-1) === '') out.pop();
  return `${out.join('\n')}\n\nuser ${user}\ntopic write v1/service-cars/${id}/position\n`;
}

/** EMQX's file-authorization rule for a service car. */
export function emqxServiceCarRule(id) {
  return `{allow, {username, "svc-${id}"}, publish, [{eq, "v1/service-cars/${id}/position"}]}.`;
}

/** The EMQX ACL text with the service car's rule before the closing `{deny, all}.` (once). */
export function withEmqxServiceCar(text, id) {
  const rule = emqxServiceCarRule(id);
  if (text.split('\n').some((l) => l.trim() === rule)) return text;
  const at = text.lastIndexOf('{deny, all}.');
  if (at < 0) throw new Error('no "{deny, all}." line in the EMQX ACL file: is it a copy of infra/emqx-acl.conf?');
  return `${text.slice(0, at)}${rule}\n\n${text.slice(at)}`;
}
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
  const svc = serviceCarOf(username);
  const ids = VIN.test(username) ? [username, `car-${username}`] : svc !== null ? [`service-car-${svc}`, username] : [];
  const kick = ids.map((id) => ({ method: 'DELETE', path: `/api/v5/clients/${encodeURIComponent(id)}`, okStatus: [204, 404] }));
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
      'mosquitto-acl': { type: 'string' },
      'emqx-acl': { type: 'string' },
      'dry-run': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const username = positionals[0];
  if (values.help || !username) {
    process.stderr.write('usage: node infra/mqtt-credentials.mjs <VIN | svc-<id> | anshin-service | anshin-tool | anshin-mail> [--password P] [--mosquitto-passwd FILE [--mosquitto-acl FILE]] [--emqx-url URL --emqx-api-key KEY:SECRET [--dry-run] [--emqx-acl FILE]]\n');
    process.exit(values.help ? 0 : 2);
  }
  if (!validUsername(username)) {
    process.stderr.write(`${JSON.stringify(username)}: a vehicle's username is its VIN (17 of A-H J-N P R-Z 0-9), a service car's svc-<id> (id: 1-64 of A-Z a-z 0-9 _ -); else one of ${ACCOUNTS.join(', ')}\n`);
    process.exit(2);
  }
  const svc = serviceCarOf(username);
  if ((values['mosquitto-acl'] || values['emqx-acl']) && svc === null) {
    process.stderr.write(`--mosquitto-acl / --emqx-acl write a service car's own rule; ${username}'s rules are in the ACL file already\n`);
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
  const acl = values['mosquitto-acl'];
  if (acl) {
    writeFileSync(`${acl}.tmp`, withMosquittoServiceCar(readFileSync(acl, 'utf8'), svc));
    renameSync(`${acl}.tmp`, acl);
    process.stderr.write(`${acl}: ${username} may publish v1/service-cars/${svc}/position; reload Mosquitto (kill -HUP <pid>) to apply it\n`);
  } else if (svc !== null && file) {
    process.stderr.write(`${username} needs its rule in Mosquitto's ACL file too: add --mosquitto-acl FILE, or the block "user ${username}" / "topic write v1/service-cars/${svc}/position"\n`);
  }
  const emqxAcl = values['emqx-acl'];
  if (emqxAcl) {
    writeFileSync(`${emqxAcl}.tmp`, withEmqxServiceCar(readFileSync(emqxAcl, 'utf8'), svc));
    renameSync(`${emqxAcl}.tmp`, emqxAcl);
    process.stderr.write(`${emqxAcl}: ${username} may publish v1/service-cars/${svc}/position; reload EMQX's file authorization to apply it\n`);
  } else if (svc !== null && values['emqx-url']) {
    process.stderr.write(`${username} needs its rule in EMQX's ACL file too: add --emqx-acl FILE, or the line ${emqxServiceCarRule(svc)}\n`);
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
