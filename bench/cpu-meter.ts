import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time (user + system) that each part of a bench's stack used, so a ratio can be
 * explained: on a machine with every core busy, throughput is what the cores give
 * divided by the CPU one order costs. Read from /proc (Linux); where there is none,
 * only this process is counted. Kernel clock ticks are 1/100 s on Linux.
 */
const TICKS_PER_SECOND = 100;

function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The processes whose command lines hold every one of `parts`, as /proc shows them. */
export function findProcesses(...parts: string[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      if (parts.every((part) => cmdline.includes(part))) found.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return found;
}

/**
 * The PostgreSQL server's processes on this machine: the postmaster and its backends,
 * walwriter and the rest, which name themselves so.
 */
export const postgresProcesses = () => [
  ...findProcesses('bin/postgres -D'),
  ...findProcesses('postgres: '),
];

/** Each part's processes, looked up at every sample (database backends come and go). */
export type CpuParts = Record<string, () => readonly number[]>;

/** CPU seconds of each process of each part: this process by its own count, others from /proc. */
function sample(parts: CpuParts): Map<string, Map<number, number>> {
  const own = process.cpuUsage();
  const sampled = new Map<string, Map<number, number>>();
  for (const [name, pids] of Object.entries(parts)) {
    const seconds = new Map<number, number>();
    for (const pid of pids()) {
      const used = pid === process.pid ? (own.user + own.system) / 1e6 : procCpuSeconds(pid);
      if (used !== undefined) seconds.set(pid, used);
    }
    sampled.set(name, seconds);
  }
  return sampled;
}

/** Each part's CPU milliseconds per unit of work (undefined: none of its processes could be read). */
export interface CpuFigures {
  parts: Record<string, number | undefined>;
  total: number;
}

/**
 * Starts counting; the function it returns gives each part's CPU milliseconds per unit
 * of work (`units`, e.g. orders) since, and their total. A process that started in
 * between counts whole; one that ended in between (a database backend closed) is left out.
 */
export function cpuFigures(parts: CpuParts): (units: number) => CpuFigures {
  const before = sample(parts);
  return (units) => {
    const after = sample(parts);
    const figures: CpuFigures = { parts: {}, total: 0 };
    for (const name of Object.keys(parts)) {
      const [a, b] = [before.get(name)!, after.get(name)!];
      if (b.size === 0) {
        figures.parts[name] = undefined;
        continue;
      }
      const seconds = [...b].reduce((sum, [pid, used]) => sum + used - (a.get(pid) ?? 0), 0);
      const ms = (seconds * 1000) / units;
      figures.parts[name] = ms;
      figures.total += ms;
    }
    return figures;
  };
}

/** What `cpuFigures` counted, as one printable line; a part that could not be read prints n/a. */
export function cpuLine(figures: CpuFigures, unit: string): string {
  const parts = Object.entries(figures.parts).map(([name, ms]) =>
    ms === undefined ? `${name} n/a` : `${name} ${ms.toFixed(0)} ms`,
  );
  return `CPU per ${unit}: ${parts.join(', ')}; total ${figures.total.toFixed(0)} ms`;
}

/** `cpuFigures` as one printable line per call. */
export function cpuMeter(parts: CpuParts): (units: number, unit: string) => string {
  const figures = cpuFigures(parts);
  return (units, unit) => cpuLine(figures(units), unit);
}
