/**
 * What `/proc` (Linux) says about a process: used by the bench (memory, CPU), the chaos suite and the
 * child-process helpers (liveness, this process's own children). Every reader takes a pid; none signals.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and ")". */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields[0] = state (field 3 of proc(5)), fields[1] = ppid, fields[11] = utime, fields[12] = stime
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Resident set size of a process in bytes (VmRSS of /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system) a process has used so far, in milliseconds (/proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are in clock ticks: USER_HZ, 100 per second on Linux.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** True while `pid` runs (a zombie, dead but not yet reaped, counts as gone). */
export function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    return statFields(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

export interface ChildInfo {
  pid: number;
  /** argv, split at the NULs of /proc/<pid>/cmdline. */
  argv: string[];
}

/** Direct children of this process (their ppid is ours): only processes this process started. */
export function ownChildren(): ChildInfo[] {
  const out: ChildInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (Number(statFields(Number(name))[1]) !== process.pid) continue;
      out.push({ pid: Number(name), argv: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
