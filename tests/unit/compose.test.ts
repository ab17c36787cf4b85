import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../services/config.js';

/**
 * No Docker engine runs on the CI machines, so the compose stack is checked statically: every
 * variable it sets is one the service knows and accepts, and the ports line up.
 */
describe('docker-compose.yml', async () => {
  const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; ports?: string[]; build?: { dockerfile: string }; depends_on?: Record<string, unknown> }>;
  };
  const instances = Object.entries(compose.services).filter(([, s]) => s.build);

  it('runs Redis, EMQX and two service instances built from infra/Dockerfile', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['redis', 'emqx']));
    expect(instances).toHaveLength(2);
    for (const [, s] of instances) expect(s.build!.dockerfile).toBe('infra/Dockerfile');
  });

  it('sets only variables the config schema knows, with values it accepts', () => {
    for (const [name, s] of instances) {
      const env = s.environment ?? {};
      for (const key of Object.keys(env)) expect(CONFIG_KEYS, `${name} sets ${key}`).toContain(key);
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('instances share the load: one shared group, one Redis, distinct client ids (persistent sessions)', () => {
    const envs = instances.map(([, s]) => loadConfig(s.environment));
    expect(new Set(envs.map((e) => e.MQTT_SHARED_GROUP)).size).toBe(1);
    expect(envs[0]!.MQTT_SHARED_GROUP).toBeTruthy();
    expect(new Set(envs.map((e) => e.REDIS_URL))).toEqual(new Set(['redis://redis:6379']));
    expect(new Set(envs.map((e) => e.MQTT_CLIENT_ID)).size).toBe(2);
    for (const e of envs) expect(e.MQTT_URL).toBe('mqtt://emqx:1883');
  });

  it('publishes each instance on its own host port, mapped to the HTTP_PORT it listens on', () => {
    const hostPorts = new Set<string>();
    for (const [name, s] of instances) {
      const env = loadConfig(s.environment);
      expect(env.HOST, `${name} must listen on all interfaces in a container`).toBe('0.0.0.0');
      const [host, container] = s.ports![0]!.split(':');
      expect(Number(container)).toBe(env.HTTP_PORT);
      hostPorts.add(host!);
    }
    expect(hostPorts.size).toBe(2);
    expect(compose.services.emqx!.ports).toContain('1883:1883');
  });

  it('the image listens on the ports compose maps and checks /healthz', async () => {
    const dockerfile = await readFile(new URL('../../infra/Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/EXPOSE 3000/);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
