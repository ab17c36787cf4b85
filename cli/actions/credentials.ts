import { provisionCredentials, provisionServiceCarCredentials } from '../../simulator/fleet/provision.js';
import { UsageError } from '../errors.js';
import { liveStatus } from '../progress.js';
import type { CredentialCliOptions } from '../credential-options.js';

/** Requests in flight while provisioning: enough to hide the round trips, few enough for a 2-core backend. */
export const PROVISION_CONCURRENCY = 16;

/** The bearer token for the HTTP API: `--token`, else ANSHIN_TOKEN, else API_TOKEN (the service's own). */
export function apiToken(o: Pick<CredentialCliOptions, 'token'>): string | undefined {
  return o.token || process.env.ANSHIN_TOKEN || process.env.API_TOKEN || undefined;
}

/**
 * The cars' MQTT passwords for a run of `vins` (AUTH on), or undefined (AUTH off: cars connect without):
 * `--provision` issues each car its own over `PUT /v1/vehicles/{vin}/credentials` with an admin token,
 * 16 in flight, with a progress line on stderr; `--username/--password` are one car's. `fallbackPassword`
 * is what `sim fire` takes from ANSHIN_VEHICLE_PASSWORD.
 */
export async function carPasswords(vins: string[], o: CredentialCliOptions, httpUrl: string, fallbackPassword?: string): Promise<Map<string, string> | undefined> {
  if (o.provision) {
    if (o.password !== undefined || o.username !== undefined) throw new UsageError('--provision gives each car a password of its own: leave out --username/--password');
    const total = new Set(vins).size;
    let done = 0;
    const started = performance.now();
    const status = liveStatus(() => `provisioning car credentials: ${done}/${total}`, 2000);
    try {
      const passwords = await provisionCredentials(vins, { httpUrl, token: apiToken(o), concurrency: PROVISION_CONCURRENCY, onProgress: (n) => (done = n) });
      status.stop();
      process.stderr.write(`provisioned ${passwords.size} car credential(s) at ${httpUrl} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      return passwords;
    } catch (err) {
      status.stop();
      throw err;
    }
  }
  const password = o.password ?? fallbackPassword;
  if (password === undefined) {
    if (o.username !== undefined) throw new UsageError('--username needs --password (the car\'s MQTT password)');
    return undefined;
  }
  if (vins.length !== 1) throw new UsageError(`--username/--password are one car's credentials, and this run has ${vins.length} cars: use --provision with an admin token instead`);
  const vin = vins[0]!;
  if (o.username !== undefined && o.username !== vin) throw new UsageError(`--username ${o.username} is not the car's VIN ${vin} (a car's MQTT username is its VIN)`);
  return new Map([[vin, password]]);
}

/** A car refused by the broker (CONNACK 4 or 5) as one line that says what to pass; other errors as they are. */
export function connectFailure(err: unknown, vin: string, url: string, hadPassword: boolean): Error {
  const code = (err as { code?: unknown }).code;
  if (code !== 4 && code !== 5) return err as Error;
  return new Error(
    hadPassword
      ? `the broker at ${url} refused car ${vin} (CONNACK ${code}): wrong password for that VIN; issue it again with --provision (an admin token) or PUT /v1/vehicles/${vin}/credentials`
      : `the broker at ${url} refused car ${vin} (CONNACK ${code}: not authorized): it has AUTH on; pass --password (and --username ${vin}), or --provision with an admin token (--token or ANSHIN_TOKEN)`,
  );
}

/**
 * D4.6: the service cars' MQTT passwords (id -> password; each connects as `svc-<id>`) with `--provision`:
 * `PUT /v1/service-cars/{id}/credentials` with the admin token, then one line on stderr. Without
 * `--provision`, undefined (a service car connects without credentials, or with `sim service-car`'s own).
 */
export async function serviceCarPasswords(ids: string[], o: CredentialCliOptions, httpUrl: string): Promise<Map<string, string> | undefined> {
  if (!o.provision || ids.length === 0) return undefined;
  const started = performance.now();
  const passwords = await provisionServiceCarCredentials(ids, { httpUrl, token: apiToken(o), concurrency: PROVISION_CONCURRENCY });
  process.stderr.write(`provisioned ${passwords.size} service-car credential(s) at ${httpUrl} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return passwords;
}

/** A service car refused by the broker (CONNACK 4 or 5) as one line that says what to pass; other errors as they are. */
export function serviceCarConnectFailure(err: unknown, id: string, url: string, hadPassword: boolean): Error {
  const code = (err as { code?: unknown }).code;
  if (code !== 4 && code !== 5) return err as Error;
  return new Error(
    hadPassword
      ? `the broker at ${url} refused service car ${id} as svc-${id} (CONNACK ${code}): wrong password; issue it again with --provision (an admin token) or PUT /v1/service-cars/${id}/credentials`
      : `the broker at ${url} refused service car ${id} (CONNACK ${code}: not authorized): it has AUTH on; pass --password (and --username svc-${id}), or --provision with an admin token (--token or ANSHIN_TOKEN)`,
  );
}
