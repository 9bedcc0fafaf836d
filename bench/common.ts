/** What every benchmark file shares: child processes, the load generator, formatting, the summary. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
/** Password of every account the benchmarks create. */
export const PASSWORD = 'correct horse battery staple';

/** One line of the final summary table. */
export interface SummaryRow {
  measurement: string;
  figure: string;
  goal: string;
  met: boolean | null;
}

/**
 * Runs `node --import tsx <script>` with extra environment and waits for the first line it prints,
 * a JSON object describing what it serves. The child's stderr goes to ours.
 */
export async function startChild<T>(
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; info: T; later: string[] }> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const info = await new Promise<T>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
  });
  child.removeAllListeners('exit');
  /** Whatever the child prints after its first line (e.g. statistics at shutdown). */
  const later: string[] = [];
  lines.on('line', (line) => later.push(line));
  return { child, info, later };
}

/** Asks a child to shut down (it cleans up after itself) and waits until its output is read. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  await closed;
}

/**
 * Node flags for a server child: with BENCH_AUDIT_PROFILE=1 it writes a CPU profile (.cpuprofile,
 * for Chrome DevTools or speedscope) into bench/.data/profiles/<label>/ when it exits.
 */
export function profileArgs(label: string): string[] {
  if (process.env.BENCH_AUDIT_PROFILE !== '1') return [];
  const dir = fileURLToPath(new URL(`./.data/profiles/${label}`, import.meta.url));
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

export interface Load {
  rps: number;
  /** 2xx answers per second over the whole run (what throughput figures use). */
  okPerSecond: number;
  /** 2xx answers in total. */
  ok: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export async function load(options: autocannon.Options): Promise<Load> {
  const result = await autocannon({ duration: SECONDS, ...options });
  return {
    rps: result.requests.average,
    okPerSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—').padStart(10);

/** 12345.6 → "12,346". */
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function printSummary(rows: SummaryRow[]): void {
  const width = Math.max(...rows.map((r) => r.measurement.length), 11);
  const figureWidth = Math.max(...rows.map((r) => r.figure.length), 6);
  const goalWidth = Math.max(...rows.map((r) => r.goal.length), 4);
  console.log('\nSummary');
  console.log(
    `  ${'measurement'.padEnd(width)}  ${'figure'.padEnd(figureWidth)}  ${'goal'.padEnd(goalWidth)}  `,
  );
  console.log(`  ${'-'.repeat(width)}  ${'-'.repeat(figureWidth)}  ${'-'.repeat(goalWidth)}  -------`);
  for (const r of rows) {
    const verdict = r.met === null ? '' : r.met ? 'MET' : 'NOT MET';
    console.log(
      `  ${r.measurement.padEnd(width)}  ${r.figure.padEnd(figureWidth)}  ${r.goal.padEnd(goalWidth)}  ${verdict}`,
    );
  }
}
