import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../lib/project.ts';
import { renderMarkdown, renderText, type Table } from './support/table.ts';

/**
 * `npm run bench`: every benchmark in one run, printed as tables and written to
 * bench/results/latest.json (everything measured) and latest.md (the tables). `--only capacity,fanout`
 * runs a subset; `--docs` also rewrites the tables section of docs/benchmarks.md.
 * Phases: cold start (bundles, no twin), then against one twin: capacity, fan-out, load; the cost
 * model is derived from what was measured. Nothing here asserts: numbers and ratios are reported.
 */
const PHASES = ['coldstart', 'capacity', 'fanout', 'counters', 'load', 'cost'] as const;
type Phase = (typeof PHASES)[number];

const FANOUT_SOCKETS = [500, 2000, 5000];
/** Idle feed watchers for the view-counter phase (issue 12's sizes). */
// COUNTER_WATCHERS=200 for a quick look at one size.
const COUNTER_WATCHERS = process.env.COUNTER_WATCHERS ? process.env.COUNTER_WATCHERS.split(',').map(Number) : [200, 2000, 5000];
/** Descriptors the fan-out needs in this process: the largest audience twice (twin and raw server) plus slack. */
const WANTED_FILES = 2 * Math.max(...FANOUT_SOCKETS) + 1024;

function selectedPhases(): Set<Phase> {
  const index = process.argv.indexOf('--only');
  const list = index >= 0 ? process.argv[index + 1] : process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (!list) return new Set(PHASES);
  const chosen = list.split(',').map((name) => name.trim()) as Phase[];
  for (const name of chosen) if (!PHASES.includes(name)) throw new Error(`Unknown phase "${name}" (phases: ${PHASES.join(', ')})`);
  return new Set(chosen);
}

function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line?.split(/\s+/)[3]);
  } catch {
    return Number.NaN;
  }
}

/**
 * Thousands of sockets need more descriptors than some shells allow by default (1024). Raise the
 * soft limit up to the hard one by re-running this script under `ulimit -n`; children inherit it.
 */
function ensureFileLimit(): void {
  const current = openFileLimit();
  if (!Number.isFinite(current) || current >= WANTED_FILES || process.env.VENTROOM_BENCH_ULIMIT_TRIED) return;
  const result = spawnSync(
    'sh',
    ['-c', `ulimit -n ${WANTED_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, VENTROOM_BENCH_ULIMIT_TRIED: '1' } },
  );
  process.exit(result.status ?? 1);
}

export interface MachineInfo {
  date: string;
  nproc: number;
  cpu: string;
  node: string;
  memoryGb: number;
  openFiles: number;
  commit: string;
}

function machine(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))?.split(':')[1]?.trim() ?? cpu;
  } catch {
    // Not Linux: os.cpus() is the best we have.
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  } catch {
    // Not a git checkout.
  }
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism(),
    cpu,
    node: process.version,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    openFiles: openFileLimit(),
    commit,
  };
}

const BEGIN = '<!-- bench:begin (npm run bench -- --docs rewrites this section) -->';
const END = '<!-- bench:end -->';

/** Replaces the generated section of docs/benchmarks.md with this run's tables. */
function writeDocs(markdown: string): void {
  const file = path.join(PROJECT_ROOT, 'docs', 'benchmarks.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${BEGIN} ... ${END} section`);
  writeFileSync(file, `${text.slice(0, start + BEGIN.length)}\n\n${markdown}\n${text.slice(end)}`);
}

async function main(): Promise<void> {
  ensureFileLimit();
  const phases = selectedPhases();
  const started = performance.now();
  const log = (line: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
  const info = machine();
  log(`${info.nproc} cores (${info.cpu}), Node ${info.node}, open files ${info.openFiles}, commit ${info.commit}`);
  const results: Record<string, unknown> = { machine: info };
  const byPhase = new Map<Phase, Table[]>();
  const add = (phase: Phase, ...list: Table[]) => byPhase.set(phase, [...(byPhase.get(phase) ?? []), ...list]);

  if (phases.has('coldstart')) {
    const { measureColdStarts, coldStartTable } = await import('./cold-start.ts');
    const coldStarts = await measureColdStarts(log);
    results.coldStart = coldStarts;
    add('coldstart', coldStartTable(coldStarts));
  }

  const needsTwin = ['capacity', 'fanout', 'counters', 'load', 'cost'].some((phase) => phases.has(phase as Phase));
  if (needsTwin) {
    const { startBenchTwin } = await import('./support/twin.ts');
    log('starting the twin');
    const twin = await startBenchTwin();
    try {
      let capacity: import('./capacity.ts').CapacityResult | undefined;
      if (phases.has('capacity') || phases.has('load') || phases.has('cost')) {
        const { measureCapacity } = await import('./capacity.ts');
        capacity = await measureCapacity(twin, log);
        results.capacity = { rows: capacity.rows, missing: capacity.missing };
      }
      if (phases.has('fanout')) {
        const { measureFanout, fanoutTables } = await import('./fanout.ts');
        const fanout = await measureFanout(twin, FANOUT_SOCKETS, Math.floor((openFileLimit() - 1024) / 2), log);
        results.fanout = fanout;
        // One broadcast's DynamoDB cost belongs with the other operations.
        capacity?.rows.push(...fanout.capacity);
        add('fanout', ...fanoutTables(fanout));
      }
      if (phases.has('counters')) {
        const { measureCounters, counterTables } = await import('./counters.ts');
        const counters = await measureCounters(twin, COUNTER_WATCHERS, openFileLimit() - 1024, log);
        results.counters = counters;
        add('counters', ...counterTables(counters));
      }
      if (capacity && phases.has('capacity')) {
        const { capacityTable } = await import('./capacity.ts');
        add('capacity', capacityTable(capacity));
      }
      if (phases.has('load') && capacity) {
        const { measureLoad, loadTable } = await import('./load.ts');
        const load = await measureLoad(twin, capacity.fixture, log);
        results.load = load;
        add('load', loadTable(load));
      }
      if (phases.has('cost') && capacity) {
        const { costModel, costTables } = await import('./cost.ts');
        const cost = await costModel(twin, capacity, log);
        results.cost = cost;
        add('cost', ...costTables(cost));
      }
    } finally {
      await twin.stop();
    }
  }

  const tables = PHASES.flatMap((phase) => byPhase.get(phase) ?? []);
  for (const table of tables) console.log(renderText(table));
  results.tables = tables;
  results.seconds = Math.round((performance.now() - started) / 1000);
  const directory = path.join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'latest.json');
  writeFileSync(`${file}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
  const markdown = [
    `Run of ${info.date.slice(0, 10)} at commit ${info.commit}: ${info.nproc} cores (${info.cpu}), ${info.memoryGb} GB, Node ${info.node}, ` +
      `open-file limit ${info.openFiles}; \`npm run bench\` took ${results.seconds} s.`,
    '',
    ...tables.map(renderMarkdown),
  ].join('\n');
  writeFileSync(path.join(directory, 'latest.md'), `${markdown}\n`);
  if (process.argv.includes('--docs')) writeDocs(markdown);
  log(`done in ${results.seconds} s; tables written to bench/results/latest.json and latest.md${process.argv.includes('--docs') ? ' and docs/benchmarks.md' : ''}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
