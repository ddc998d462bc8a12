/**
 * Where the CPU goes during a benchmark phase, from /proc (Linux): per process (the service, the
 * Kafka broker, PostgreSQL, this process) and for the whole machine, so that a result can be
 * read against what else was running on the same cores at the same time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

let ticksPerSecond: number | undefined;
const clockTicks = (): number => {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
};

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return 0;
  }
}

/** Every process whose command name is `name` (e.g. all PostgreSQL backends and helpers). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: (total - idle - iowait) / clockTicks(), total: total / clockTicks() };
}

export interface CpuGroups {
  [group: string]: () => number[];
}

export interface CpuReport {
  seconds: number;
  /** Cores used on average per group (1.0 = one core busy all the time). */
  cores: Record<string, number>;
  machineCores: number;
  /** Busy cores not accounted for by any group. */
  otherCores: number;
}

/**
 * Measures CPU use per group of processes between start() and stop(). Processes that appear
 * meanwhile count from zero; processes that disappear keep what they had used at the last sample.
 */
export class CpuMeter {
  private startedAt = 0;
  private machineStart = { busy: 0, total: 0 };
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly groups: CpuGroups) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineStart = machineCpuSeconds();
    this.first.clear();
    this.last.clear();
    this.sample(true);
    // Short-lived processes (pool connections) are caught by sampling now and then.
    this.timer = setInterval(() => this.sample(false), 1000);
    this.timer.unref();
  }

  stop(): CpuReport {
    clearInterval(this.timer);
    this.sample(false);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const machine = machineCpuSeconds();
    const cores: Record<string, number> = {};
    const counted = new Set<number>();
    let accounted = 0;
    for (const [group, pids] of Object.entries(this.groups)) {
      let used = 0;
      for (const pid of pids()) {
        if (counted.has(pid)) continue;
        counted.add(pid);
        used += (this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0);
      }
      cores[group] = used / seconds;
      accounted += used;
    }
    const busy = machine.busy - this.machineStart.busy;
    return { seconds, cores, machineCores: busy / seconds, otherCores: Math.max(0, busy - accounted) / seconds };
  }

  private sample(initial: boolean): void {
    for (const pids of Object.values(this.groups)) {
      for (const pid of pids()) {
        const used = processCpuSeconds(pid);
        if (!this.first.has(pid)) this.first.set(pid, initial ? used : 0);
        if (used > 0) this.last.set(pid, used);
      }
    }
  }
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

export const loadAverage = (): string => os.loadavg().map((n) => n.toFixed(2)).join(' / ');

/** The heaviest other processes right now (for the report's interference note). */
export function busiestProcesses(exclude: Set<number>, seconds = 1): Promise<{ pid: number; name: string; cores: number }[]> {
  const before = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) before.set(Number(entry), processCpuSeconds(Number(entry)));
  }
  return new Promise((resolve) =>
    setTimeout(() => {
      const rows: { pid: number; name: string; cores: number }[] = [];
      for (const [pid, used] of before) {
        if (exclude.has(pid)) continue;
        const delta = processCpuSeconds(pid) - used;
        if (delta <= 0) continue;
        let name = '?';
        try {
          name = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim().slice(0, 70) || readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // Gone.
        }
        rows.push({ pid, name, cores: delta / seconds });
      }
      resolve(rows.sort((a, b) => b.cores - a.cores).slice(0, 5));
    }, seconds * 1000),
  );
}

/**
 * Everything a run started, stopped in reverse order at the end, on failure, on Ctrl-C. Each step
 * runs once; a step that fails is reported and the others still run.
 */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private running?: Promise<void>;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(log: (line: string) => void = () => undefined): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (error) {
          log(`cleanup: ${step.name} failed: ${(error as Error)?.message ?? String(error)}`);
        }
      }
    })();
    return this.running;
  }
}
