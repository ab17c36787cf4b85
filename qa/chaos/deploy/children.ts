import { readdirSync, readFileSync } from 'node:fs';

export interface ChildInfo {
  pid: number;
  /** argv, split at the NULs of /proc/<pid>/cmdline. */
  argv: string[];
  /** KEY=value entries of /proc/<pid>/environ (readable for our own children). */
  env: string[];
}

/** Direct children of this process, read from /proc (Linux): only processes this run started. */
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
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 (ppid) comes after the ")" that ends the command name, which may itself hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      let env: string[] = [];
      try {
        env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').filter(Boolean);
      } catch {
        // not ours to read: leave it empty
      }
      out.push({ pid: Number(name), argv, env });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** True while `pid` runs (a zombie, already dead but not yet reaped, counts as gone). */
export function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

let hooked = false;

/**
 * Last line of defence, on any exit of this process (normal end, Ctrl-C, crash): SIGCONT then SIGKILL
 * every direct child still running. Only our own children, by pid: a frozen redis-server (SIGSTOP)
 * included, which would ignore a SIGTERM until it is thawed.
 */
export function killChildrenOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of ownChildren()) {
      for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
        try {
          process.kill(child.pid, signal);
        } catch {
          // already gone
        }
      }
    }
  });
}
