/**
 * CPU time of a child process, read from /proc (Linux only). On a shared,
 * busy machine wall-clock latencies include time spent waiting for a core;
 * the CPU time the server itself burned is a steadier second opinion, so the
 * LSP benchmark records both. Resolution is the kernel tick (usually 10 ms),
 * so it is only meaningful summed over a series or for long operations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/PID/stat after the parenthesised command name (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The newest child of this process whose command line contains `marker`. */
export function findChildPid(marker: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  let best: number | undefined;
  for (const e of entries) {
    const pid = Number(e);
    const f = statFields(pid);
    if (!f || Number(f[1]) !== process.pid) continue; // f[1] is the parent pid
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) continue;
    } catch {
      continue;
    }
    if (best === undefined || pid > best) best = pid;
  }
  return best;
}

/** User + system CPU time of `pid` in ms, or undefined when it cannot be read. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const f = statFields(pid);
  if (!f) return undefined;
  // utime and stime are fields 14 and 15 of the full line, i.e. 11 and 12 here.
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks();
}
