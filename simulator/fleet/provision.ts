/**
 * Issue 11, part 6: cars' MQTT credentials from the backend's HTTP API. Each VIN gets its password
 * from `PUT /v1/vehicles/{vin}/credentials` (admin role: an admin's login token or API_TOKEN), a bounded
 * number in flight at once so that 10,000 cars neither open 10,000 sockets nor queue one by one.
 * Calling it again for the same car rotates the password (and the broker drops the car's old session).
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

/** Issues every car's credentials; resolves with VIN -> password, or fails at the first refusal. */
export async function provisionCredentials(vins: readonly string[], o: ProvisionOptions): Promise<Map<string, string>> {
  const passwords = new Map<string, string>();
  const unique = [...new Set(vins)];
  let next = 0;
  let failure: ProvisionError | undefined;
  const worker = async () => {
    while (next < unique.length && !failure) {
      const vin = unique[next++]!;
      try {
        passwords.set(vin, await provisionOne(vin, o));
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

async function provisionOne(vin: string, o: ProvisionOptions): Promise<string> {
  const url = new URL(`/v1/vehicles/${encodeURIComponent(vin)}/credentials`, o.httpUrl);
  let res: Response;
  try {
    res = await fetch(url, { method: 'PUT', headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
  } catch (err) {
    const cause = (err as Error & { cause?: NodeJS.ErrnoException }).cause;
    throw new ProvisionError(`cannot provision car credentials: no answer from ${o.httpUrl} (${cause?.code ?? cause?.message ?? (err as Error).message})`, 0);
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
  throw new ProvisionError(refusal(res.status, vin, o, typeof body.message === 'string' ? body.message : text.slice(0, 120)), res.status);
}

/** What a refusal means for whoever typed the command. */
function refusal(status: number, vin: string, o: ProvisionOptions, said: string): string {
  const put = `PUT /v1/vehicles/${vin}/credentials`;
  if (status === 401) {
    return o.token
      ? `cannot provision car credentials: ${o.httpUrl} refused the token (401: ${said}); log in as an admin again or pass API_TOKEN`
      : `cannot provision car credentials: ${o.httpUrl} needs an admin token (401); pass --token or set ANSHIN_TOKEN (an admin's login token, or the service's API_TOKEN)`;
  }
  if (status === 403) return `cannot provision car credentials: the token is not an admin's (403: ${said}); ${put} needs the admin role`;
  if (status === 404) return `cannot provision car credentials: ${put} answered 404: is ${o.httpUrl} the anshin backend's HTTP API (--http-url)?`;
  return `cannot provision car credentials: ${put} answered ${status}: ${said}`;
}
