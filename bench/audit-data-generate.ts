/**
 * Writes a data set (see audit-data.ts; BENCH_AUDIT_DATASET_SPEC) into BENCH_AUDIT_DATASET: a migrated
 * SQLite file with the organizations and their events, and dataset.meta (JSON, named so that Biome
 * leaves the cache alone) with the keys needed to open it. Events go through the server's group
 * committer (sealing, canonical JSON, leaf hashes, stored tree nodes, FTS triggers) in transactions of
 * up to 5,000; the organizations take turns, as real traffic would.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { buildApp } from '@custos/server';
import { loadConfig } from '@custos/server/config';
import { migrateToLatest, openDatabase } from '@custos/server/db';
import { createLogger } from '@custos/server/log';
import { generateSignerKey } from '../packages/server/src/platform/crypto/signed-note';
import { newId } from '../packages/server/src/platform/crypto/tokens';
import { DATA_VERSION, type DatasetMeta, type DatasetOrgMeta, type DatasetSpec } from './audit-data';
import { datasetDraft, rng } from './audit-events';
import { PASSWORD } from './common';

const GROUP = 5000;

const dir = process.env.BENCH_AUDIT_DATASET;
if (!dir) throw new Error('BENCH_AUDIT_DATASET is not set');
const { total, shares } = JSON.parse(process.env.BENCH_AUDIT_DATASET_SPEC ?? '') as DatasetSpec;
const partial = `${dir}.partial`;
fs.rmSync(partial, { recursive: true, force: true });
fs.mkdirSync(partial, { recursive: true });
process.stdout.write(`${JSON.stringify({ started: true })}\n`);

const masterKey = randomBytes(32).toString('base64');
const signingKey = generateSignerKey('bench.custos/audit').signerKey;
const config = loadConfig({
  CUSTOS_DATA_DIR: partial,
  CUSTOS_LOG_LEVEL: 'silent',
  CUSTOS_MASTER_KEY: masterKey,
  CUSTOS_AUDIT_SIGNING_KEY: signingKey,
});
const database = openDatabase({ kind: 'sqlite', file: `${partial}/custos.db` });
await migrateToLatest(database);
const { app, services } = await buildApp({ config, database, logger: createLogger('silent'), webRoot: null });

const sizes = shares.map((share) => Math.round(total * share));
sizes[0] = total - sizes.slice(1).reduce((a, b) => a + b, 0);
const orgs: DatasetOrgMeta[] = [];
for (const [i, events] of sizes.entries()) {
  const ownerEmail = `owner.${i + 1}@bench.example.com`;
  const name = `Bench Org ${i + 1}`;
  const { organization } = await services.setup.createAdminFromCli({
    email: ownerEmail,
    name: `Owner ${i + 1}`,
    password: PASSWORD,
    organizationName: name,
  });
  orgs.push({ id: organization.id, name, events, ownerEmail });
}

const started = performance.now();
const rounds = Math.ceil(Math.max(...sizes) / GROUP);
const written = orgs.map(() => 0);
const randoms = orgs.map((_, i) => rng(42 + i));
let done = 0;
let reported = 0;
for (let round = 0; round < rounds; round++) {
  for (const [o, org] of orgs.entries()) {
    const n = Math.min(Math.ceil(org.events / rounds), org.events - (written[o] as number));
    if (n <= 0) continue;
    const random = randoms[o] as () => number;
    const first = written[o] as number;
    const drafts = Array.from({ length: n }, (_, k) => datasetDraft(random, newId(), org, first + k));
    await services.audit.committer.submit(org.id, drafts, null);
    // Back to the event loop between groups: resubmitting at once would keep the committer's drain
    // loop in one microtask chain, and the checkpoint job's timer would never fire.
    await new Promise((resolve) => setImmediate(resolve));
    written[o] = first + n;
    done += n;
  }
  if (done - reported >= 100_000 || round === rounds - 1) {
    reported = done;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `  ${done.toLocaleString('en-US')} events in ${seconds.toFixed(0)} s (${Math.round(done / seconds)}/s)\n`,
    );
  }
}
const seconds = (performance.now() - started) / 1000;
await app.close();
await database.destroy();

const meta: DatasetMeta = {
  version: DATA_VERSION,
  totalEvents: total,
  orgs,
  masterKey,
  signingKey,
  generatedInSeconds: Math.round(seconds),
  appendRate: Math.round(total / seconds),
};
fs.writeFileSync(`${partial}/dataset.meta`, `${JSON.stringify(meta, null, 2)}\n`);
fs.rmSync(dir, { recursive: true, force: true });
fs.renameSync(partial, dir);
process.exit(0);
