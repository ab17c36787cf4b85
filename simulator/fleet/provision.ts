/**
 * Issue 11, part 6: cars' MQTT credentials from the backend's HTTP API. Each VIN gets its password
 * from `PUT /v1/vehicles/{vin}/credentials` (admin role: an admin's login token or API_TOKEN), a bounded
 * number in flight at once so that 10,000 cars neither open 10,000 sockets nor queue one by one.
 * Calling it again for the same car rotates the password (and the broker drops the car's old session).
 * D4.6 service cars likewise, from `PUT /v1/service-cars/{id}/credentials` (username `svc-<id>`).
 */

export interface ProvisionOptions {
  httpUrl: string;
  /** An admin's bearer token (login token or API_TOKEN). */
  token: string | undefined;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Called after each car is provisioned (done of total). */
  onProgress?: (done: number, total: number) => void;
}

/** A provisioning the API refused: `status` is its HTTP status (0: no answer). One line, for the CLI. */
export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProvisionError';
  }
}

/** What is provisioned: vehicles (`PUT /v1/vehicles/{vin}/credentials`) or D4.6 service cars (`PUT /v1/service-cars/{id}/credentials`). */
export type ProvisionKind = 'vehicle' | 'service_car';

const KINDS: Record<ProvisionKind, { path: string; what: string }> = {
  vehicle: { path: '/v1/vehicles/', what: 'car' },
  service_car: { path: '/v1/service-cars/', what: 'service-car' },
};

/** Issues every car's credentials; resolves with VIN -> password, or fails at the first refusal. */
export async function provisionCredentials(vins: readonly string[], o: ProvisionOptions): Promise<Map<string, string>> {
  return provisionAll(vins, o, 'vehicle');
}

/**
 * D4.6: every service car's credentials (username `svc-<id>`), from `PUT /v1/service-cars/{id}/credentials`
 * (admin); resolves with id -> password. Issuing again rotates it and ends the car's old session.
 */
export async function provisionServiceCarCredentials(ids: readonly string[], o: ProvisionOptions): Promise<Map<string, string>> {
  return provisionAll(ids, o, 'service_car');
}

async function provisionAll(vins: readonly string[], o: ProvisionOptions, kind: ProvisionKind): Promise<Map<string, string>> {
  const passwords = new Map<string, string>();
  const unique = [...new Set(vins)];
  let next = 0;
  let failure: ProvisionError | undefined;
  const worker = async () => {
    while (next < unique.length && !failure) {
      const vin = unique[next++]!;
      try {
        passwords.set(vin, await provisionOne(vin, o, kind));
        o.onProgress?.(passwords.size, unique.length);
      } catch (err) {
        failure ??= err instanceof ProvisionError ? err : new ProvisionError(String((err as Error).message), 0);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 16, unique.length)) }, worker));
  if (failure) throw failure;
  return passwords;
}

async function provisionOne(vin: string, o: ProvisionOptions, kind: ProvisionKind): Promise<string> {
  const { path, what } = KINDS[kind];
  const url = new URL(`${path}${encodeURIComponent(vin)}/credentials`, o.httpUrl);
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
  } catch (err) {
    const cause = (err as Error & { cause?: NodeJS.ErrnoException }).cause;
    throw new ProvisionError(`cannot provision ${what} credentials: no answer from ${o.httpUrl} (${cause?.code ?? cause?.message ?? (err as Error).message})`, 0);
  }
  const text = await res.text();
  let body: { password?: unknown; error?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* not JSON: the status says enough */
  }
  if (res.status === 201 || res.status === 200) {
    if (typeof body.password !== 'string') throw new ProvisionError(`PUT ${url.pathname}: ${res.status} without a password`, res.status);
    return body.password;
  }
  throw new ProvisionError(refusal(res.status, `${path}${vin}/credentials`, what, o, typeof body.message === 'string' ? body.message : text.slice(0, 120)), res.status);
}

/** What a refusal means for whoever typed the command. */
function refusal(status: number, path: string, what: string, o: ProvisionOptions, said: string): string {
  const put = `PUT ${path}`;
  if (status === 401) {
    return o.token
      ? `cannot provision ${what} credentials: ${o.httpUrl} refused the token (401: ${said}); log in as an admin again or pass API_TOKEN`
      : `cannot provision ${what} credentials: ${o.httpUrl} needs an admin token (401); pass --token or set ANSHIN_TOKEN (an admin's login token, or the service's API_TOKEN)`;
  }
  if (status === 403) return `cannot provision ${what} credentials: the token is not an admin's (403: ${said}); ${put} needs the admin role`;
  if (status === 404) return `cannot provision ${what} credentials: ${put} answered 404: is ${o.httpUrl} the anshin backend's HTTP API (--http-url)?`;
  return `cannot provision ${what} credentials: ${put} answered ${status}: ${said}`;
}
