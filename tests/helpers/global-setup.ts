import type { TestProject } from 'vitest/node';
import { provideRedis } from './redis-server.js';

/** Global set-up shared by every test tier: one real Redis for the run (tests read it with testRedis()). */
export default async function setup(project: TestProject): Promise<void | (() => Promise<void>)> {
  return provideRedis(project);
}
