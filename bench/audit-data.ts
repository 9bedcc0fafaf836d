/**
 * Data sets of the search and verify benchmarks, written through the server's own append path (the
 * group committer: sealing, canonical JSON, leaf hashes, stored tree nodes, subject keys, FTS), so
 * they are what ingestion would have left. Generated once by audit-data-generate.ts and cached under
 * bench/.data, keyed by DATA_VERSION, a hash of the migrations and the sizes; bump DATA_VERSION when
 * the generator changes. Data sets of another version or schema are deleted when a new one is made.
 *
 *   search  BENCH_AUDIT_EVENTS events (default 1,000,000) in four organizations: 60%, 20%, 10%, 10%.
 *   verify  the search set's largest organization, unless BENCH_AUDIT_VERIFY_EVENTS asks for more:
 *           then a set of its own with one organization of that size.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, stopChild } from './common';

export const DATA_VERSION = 1;
export const TOTAL_EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
/** Shares of the search set's organizations, largest first. */
export const SEARCH_SHARES = [0.6, 0.2, 0.1, 0.1];

export interface DatasetSpec {
  total: number;
  shares: number[];
}

export const SEARCH_SET: DatasetSpec = { total: TOTAL_EVENTS, shares: SEARCH_SHARES };

export interface DatasetOrgMeta {
  id: string;
  name: string;
  events: number;
  ownerEmail: string;
}

export interface DatasetMeta {
  version: number;
  totalEvents: number;
  orgs: DatasetOrgMeta[];
  masterKey: string;
  signingKey: string;
  generatedInSeconds: number;
  /** Events per second the append path sustained while generating. */
  appendRate: number;
}

export const DATA_ROOT = fileURLToPath(new URL('./.data', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../packages/server/src/platform/db/migrations', import.meta.url));

/** Short hash of the migrations' source: a schema change makes a new data set (and export). */
function schemaHash(): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS, file)));
  }
  return hash.digest('hex').slice(0, 10);
}

export function datasetDir(spec: DatasetSpec): string {
  const shape = spec.shares.length === 1 ? '-single' : '';
  return path.join(DATA_ROOT, `audit-v${DATA_VERSION}-${schemaHash()}-${spec.total}${shape}`);
}

/** Data sets of older versions or schemas (gigabytes that will never be read again). */
function pruneStale(): void {
  if (!fs.existsSync(DATA_ROOT)) return;
  const current = `audit-v${DATA_VERSION}-${schemaHash()}-`;
  for (const name of fs.readdirSync(DATA_ROOT)) {
    if (name.startsWith('audit-v') && !name.startsWith(current)) {
      fs.rmSync(path.join(DATA_ROOT, name), { recursive: true, force: true });
    }
  }
}

function readMeta(dir: string): DatasetMeta | null {
  const file = path.join(dir, 'dataset.meta');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as DatasetMeta) : null;
}

/** The cached data set, generated first (in a child process) when missing. */
export async function ensureDataset(
  spec: DatasetSpec,
): Promise<{ dir: string; meta: DatasetMeta; generated: boolean }> {
  const dir = datasetDir(spec);
  const cached = readMeta(dir);
  if (cached) return { dir, meta: cached, generated: false };
  pruneStale();
  console.log(
    `  generating a data set of ${spec.total.toLocaleString('en-US')} events in ${spec.shares.length} organization(s): ${dir}`,
  );
  const { child } = await startChild<{ started: true }>('./audit-data-generate.ts', {
    BENCH_AUDIT_DATASET: dir,
    BENCH_AUDIT_DATASET_SPEC: JSON.stringify(spec),
  });
  await new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(null) : reject(new Error(`generator exited ${code}`)),
    ),
  );
  await stopChild(child);
  const meta = readMeta(dir);
  if (!meta) throw new Error('the data set generator finished without writing dataset.meta');
  console.log(
    `  generated in ${meta.generatedInSeconds} s through the group committer (${meta.appendRate} events/s)`,
  );
  return { dir, meta, generated: true };
}
