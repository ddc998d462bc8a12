/**
 * CPU profile of the service over the measured window (BENCH_PROFILE=1), without touching its code.
 *
 * Loaded into the service with `node --import ./dist/bench/projections-profiler.js`: once the file
 * `$BENCH_PROFILE_FILE.start` exists the V8 sampling profiler runs; once `$BENCH_PROFILE_FILE.stop`
 * exists the profile is written to $BENCH_PROFILE_FILE.
 * `summarizeProfile` then says where the service's CPU went, by library and by function; time in
 * V8 builtins and Node internals (JSON, Buffer, crypto, socket writes) is charged to the library or
 * application code that called them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_PROFILE_FILE;
if (file) {
  // Files, not signals, say when: Nest's shutdown hooks take SIGUSR2 and most others.
  const session = new Session();
  session.connect();
  let state: 'waiting' | 'running' | 'done' = 'waiting';
  const timer = setInterval(() => {
    if (state === 'waiting' && existsSync(`${file}.start`)) {
      state = 'running';
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
    } else if (state === 'running' && existsSync(`${file}.stop`)) {
      state = 'done';
      clearInterval(timer);
      session.post('Profiler.stop', (error, result) => {
        if (!error && result) writeFileSync(file, JSON.stringify(result.profile));
      });
    }
  }, 50);
  timer.unref();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers, and the part of it the thread was busy (not idle). */
  wallMs: number;
  busyMs: number;
  byCategory: { name: string; ms: number }[];
  topFunctions: { name: string; ms: number }[];
}

const NODE_CORE = 'Node.js core, called from nothing else (timers, event loop)';

const CATEGORIES: [RegExp, string][] = [
  [/node_modules\/kafkajs\//, 'kafkajs (Kafka protocol, CRC, compression)'],
  [/node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-[a-z]+)\//, 'pg driver (protocol, row parsing)'],
  [/node_modules\/typeorm\//, 'TypeORM'],
  [/node_modules\/(fastify|find-my-way|avvio|light-my-request|@fastify\/[^/]+|fast-json-stringify|secure-json-parse)\//, 'Fastify'],
  [/node_modules\/@nestjs\//, 'NestJS (core, cqrs, platform)'],
  [/node_modules\/(class-validator|class-transformer|validator)\//, 'class-validator / class-transformer'],
  [/node_modules\/(jsonwebtoken|jws|jwa|@nestjs\/jwt)\//, 'JWT'],
  [/node_modules\/(pino|pino-std-serializers|sonic-boom|thread-stream)\//, 'pino logging'],
  [/node_modules\/(prom-client|tdigest|bintrees)\//, 'prom-client'],
  [/node_modules\/(rxjs)\//, 'rxjs'],
  [/node_modules\/uuid\//, 'uuid'],
  [/node_modules\//, 'other libraries'],
  [/\/dist\/libs\/kafka\//, 'libs/kafka (relay, consumer wrapper, CloudEvents mapping)'],
  [/\/dist\/libs\/projections\//, 'libs/projections (applier)'],
  [/\/dist\/libs\/event-store\//, 'libs/event-store'],
  [/\/dist\/libs\/read-models\//, 'libs/read-models (upsertRows)'],
  [/\/dist\/libs\//, 'other libs/*'],
  [/\/dist\/src\/(board|feed|fact-checks|reactions\/projections|scheduler)\//, 'read models and projections (src)'],
  [/\/dist\/src\//, 'application code (src)'],
  [/^node:|^internal\//, NODE_CORE],
];

function categoryOf(node: ProfileNode): string | null {
  const { functionName, url } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(program)') return '(program: native, not attributed)';
  if (functionName === '(root)') return null;
  if (!url) return null;
  for (const [pattern, name] of CATEGORIES) if (pattern.test(url)) return name;
  return 'other JavaScript';
}

export function summarizeProfile(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const category = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = category.get(id);
    if (known) return known;
    // Charged to the nearest library or application frame: Node internals (streams, crypto, net)
    // count for whoever called them, and only for themselves when nothing outside Node did.
    let current: number | undefined = id;
    let name: string | null = null;
    let nodeCore: string | null = null;
    while (current !== undefined && name === null) {
      const found = categoryOf(byId.get(current)!);
      if (found === NODE_CORE) nodeCore ??= found;
      else name = found;
      current = parent.get(current);
    }
    const resolved = name ?? nodeCore ?? 'V8 builtins (no JavaScript caller)';
    category.set(id, resolved);
    return resolved;
  };
  const perCategory = new Map<string, number>();
  const perFunction = new Map<string, number>();
  let wallUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    wallUs += delta;
    const id = profile.samples[i];
    const name = resolve(id);
    perCategory.set(name, (perCategory.get(name) ?? 0) + delta);
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName !== '(idle)') {
      const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}` : 'native';
      const key = `${frame.functionName || '(anonymous)'} ${where}`;
      perFunction.set(key, (perFunction.get(key) ?? 0) + delta);
    }
  }
  const idle = perCategory.get('idle') ?? 0;
  const sorted = (map: Map<string, number>) =>
    [...map]
      .filter(([name]) => name !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return {
    wallMs: wallUs / 1000,
    busyMs: (wallUs - idle) / 1000,
    byCategory: sorted(perCategory),
    topFunctions: sorted(perFunction).slice(0, top),
  };
}
