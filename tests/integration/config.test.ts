import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../services/config.js';

/** Contract "Running it": every variable optional with its default; a bad value names the variable. */
describe('configuration', () => {
  it('applies the defaults of CONTRACT.md when nothing is set (empty strings count as unset)', () => {
    for (const env of [{}, { HOST: '', HTTP_PORT: '', MQTT_PORT: '', LOCKOUT_MINUTES: '', LOG_LEVEL: '', API_TOKEN: '', MQTT_URL: '', REDIS_URL: '' }]) {
      const c = loadConfig(env);
      expect(c).toMatchObject({ HOST: '127.0.0.1', HTTP_PORT: 3000, MQTT_PORT: 1883, LOCKOUT_MINUTES: 60, IMPACT_DELTA_V_KMH: 8, LOG_LEVEL: 'info' });
      expect(c.MQTT_URL).toBeUndefined();
      expect(c.REDIS_URL).toBeUndefined();
      expect(c.API_TOKEN).toBeUndefined();
    }
  });

  it('reads good values, numbers as numbers', () => {
    const c = loadConfig({
      HOST: '0.0.0.0',
      AUTH: 'on',
      HTTP_PORT: '8080',
      MQTT_PORT: '0',
      MQTT_URL: 'mqtts://broker.example:8883',
      REDIS_URL: 'redis://localhost:6379/2',
      API_TOKEN: 'a-long-token',
      LOCKOUT_MINUTES: '1.5',
      IMPACT_DELTA_V_KMH: '12',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      HOST: '0.0.0.0',
      HTTP_PORT: 8080,
      MQTT_PORT: 0,
      MQTT_URL: 'mqtts://broker.example:8883',
      REDIS_URL: 'redis://localhost:6379/2',
      API_TOKEN: 'a-long-token',
      LOCKOUT_MINUTES: 1.5,
      IMPACT_DELTA_V_KMH: 12,
      LOG_LEVEL: 'debug',
    });
  });

  it.each([
    ['HTTP_PORT', 'abc'],
    ['HTTP_PORT', '80abc'],
    ['HTTP_PORT', '65536'],
    ['HTTP_PORT', '3000.5'],
    ['MQTT_PORT', '-1'],
    ['LOCKOUT_MINUTES', '-1'],
    ['LOCKOUT_MINUTES', '0'],
    ['LOCKOUT_MINUTES', 'sixty'],
    ['IMPACT_DELTA_V_KMH', '-8'],
    ['MQTT_URL', 'ftp://x'],
    ['MQTT_URL', 'broker:1883'],
    ['REDIS_URL', 'nope'],
    ['REDIS_URL', 'http://localhost:6379'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'INFO'],
    ['API_TOKEN', 'short'],
  ])('rejects %s=%s naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
  });

  it('issue 11, protected mode: AUTH unset is off on a loopback HOST, refused (naming AUTH) on any other; AUTH=off explicit is allowed anywhere', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', 'localhost', '::1', '[::1]']) expect(loadConfig({ HOST: host }).AUTH, host).toBe('off');
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => loadConfig({ HOST: host }), host).toThrow(ConfigError);
      expect(() => loadConfig({ HOST: host }), host).toThrow(/^AUTH: HOST .* is not a loopback address/);
      expect(loadConfig({ HOST: host, AUTH: 'off' }).AUTH).toBe('off');
      expect(loadConfig({ HOST: host, AUTH: 'on' }).AUTH).toBe('on');
    }
    expect(() => loadConfig({ AUTH: 'yes' })).toThrow(/^AUTH/);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'short' })).toThrow(/^ADMIN_PASSWORD/);
    expect(loadConfig({}).TOKEN_TTL_MINUTES).toBe(720);
  });

  it('names the bad variable even when other variables are fine', () => {
    expect(() => loadConfig({ HTTP_PORT: '8080', LOG_LEVEL: 'debug', LOCKOUT_MINUTES: '-1' })).toThrow(/LOCKOUT_MINUTES/);
  });

  /** Runs `tsx cli/start.ts` with only `vars` of the anshin settings; resolves its exit code and output. */
  async function runMain(vars: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // Nothing else that could make it start anything (or fail for another reason).
    for (const k of ['MQTT_URL', 'REDIS_URL', 'API_TOKEN', 'MQTT_PORT', 'LOG_LEVEL', 'HOST', 'AUTH', 'ADMIN_PASSWORD']) delete env[k];
    Object.assign(env, vars);
    const child = spawn('npx', ['tsx', 'cli/start.ts'], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`main.ts did not exit within 30 s; output: ${output}`));
      }, 30_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    return { code, output };
  }

  it('`tsx cli/start.ts` with HTTP_PORT=abc exits with code 2 and a message naming HTTP_PORT', async () => {
    const { code, output } = await runMain({ HTTP_PORT: 'abc', MQTT_PORT: '0' });
    expect(code, output).toBe(2);
    expect(output).toMatch(/HTTP_PORT/);
    expect(output).toMatch(/bad configuration/);
    expect(output).not.toMatch(/\n\s+at /); // a message, not a stack trace
  }, 40_000);

  it('a port already in use stops start-up with code 2 and a message naming the port, not a stack trace', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as AddressInfo).port;
    try {
      const { code, output } = await runMain({ HTTP_PORT: '0', MQTT_PORT: String(port) });
      expect(code, output).toBe(2);
      expect(output).toContain(`port ${port} is already in use`);
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  }, 40_000);

  it('issue 11: the server entry with HOST=0.0.0.0 and AUTH unset refuses to start (code 2), naming AUTH', async () => {
    const { code, output } = await runMain({ HOST: '0.0.0.0', HTTP_PORT: '0', MQTT_PORT: '0' });
    expect(code, output).toBe(2);
    expect(output).toMatch(/bad configuration: AUTH: HOST 0\.0\.0\.0 is not a loopback address/);
    expect(output).not.toMatch(/\n\s+at /);
  }, 40_000);
});
