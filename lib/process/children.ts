/**
 * The child processes the helpers start (service instances, redis-server, Mosquitto): tracked so that
 * none outlives this process, and stopped the same way everywhere.
 */
import type { ChildProcess } from 'node:child_process';
import { ownChildren } from './proc-fs.js';

const live = new Set<ChildProcess>();
let hooked = false;

/** SIGCONT first: a frozen process (SIGSTOP) would hold a SIGTERM until thawed; SIGKILL it either way. */
function killHard(pid: number): void {
  for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function killTracked(): void {
  for (const proc of live) if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) killHard(proc.pid);
}

/**
 * Kills `proc` when this process ends in any way Node lets code run: a normal end, `process.exit`, an
 * uncaught exception, and SIGINT / SIGTERM / SIGHUP (Ctrl-C, a test runner stopping its workers). A
 * signal that another listener handles (a CLI's bounded teardown, which ends in `process.exit`) is
 * left to it; when nobody else listens, the children are killed and the signal raised again, so the
 * process still ends as it would have. Only SIGKILL of this process leaves them behind.
 */
export function trackChild(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (hooked) return;
  hooked = true;
  process.once('exit', killTracked);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      process.removeListener(signal, onSignal);
      killTracked();
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

export interface StopResult {
  /** From the signal to the process's exit, in ms. */
  exitMs: number;
  /** It outlived the grace and was SIGKILLed. */
  forced: boolean;
}

/**
 * Sends `signal` and waits for the exit; SIGKILL if it is still running after `graceMs`. A SIGCONT
 * follows any other signal, so a frozen process handles it (SIGCONT does nothing to a running one).
 */
export async function stopChild(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<StopResult> {
  // No pid: it never started (spawn failed), and may never emit 'exit'.
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return { exitMs: 0, forced: false };
  const t0 = performance.now();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill(signal);
  if (signal !== 'SIGKILL') proc.kill('SIGCONT');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    proc.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  return { exitMs: Math.round(performance.now() - t0), forced };
}

/** SIGKILLs every direct child of this process still running (read from /proc, tracked or not); how many. */
export function reapChildren(): number {
  const left = ownChildren();
  for (const child of left) killHard(child.pid);
  return left.length;
}
