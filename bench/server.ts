/**
 * The benchmark's server process: Custos on an embedded SQLite file plus, in the same process, a bare
 * Fastify app with one constant route (the baseline). Prints one JSON line with ports and credentials.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '@custos/server';
import { loadConfig } from '@custos/server/config';
import { migrateToLatest, openDatabase } from '@custos/server/db';
import { createLogger } from '@custos/server/log';
import { hashPassword, verifyPassword } from '@custos/server/passwords';
import Fastify from 'fastify';

const PASSWORD = 'correct horse battery staple';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-'));
const config = loadConfig({
  CUSTOS_DATA_DIR: dataDir,
  CUSTOS_LOG_LEVEL: 'silent',
  // The default sign-in limits: a success gives its attempt back, so the owner signing in at full
  // speed never meets them, and the guard is measured as deployed.
  ...(process.env.BENCH_DATABASE_URL ? { CUSTOS_DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
});
const database = openDatabase(config.database);
await migrateToLatest(database);
const { app, services } = await buildApp({ config, database, logger: createLogger('silent'), webRoot: null });
const email = `bench.${Date.now()}@example.com`;
await services.setup.createAdminFromCli({
  email,
  name: 'Bench',
  password: PASSWORD,
  organizationName: 'Bench Org',
});
const custosUrl = await app.listen({ port: 0, host: '127.0.0.1' });

const bare = Fastify({ logger: false });
bare.get('/constant', async () => ({ ok: true }));
// The sign-in comparison's HTTP ceiling: the same argon2id verification behind a bare route.
const encoded = await hashPassword(PASSWORD);
bare.post('/verify', async () => ({ ok: await verifyPassword(encoded, PASSWORD) }));
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

process.stdout.write(`${JSON.stringify({ custosUrl, bareUrl, email, password: PASSWORD, dataDir })}\n`);
process.on('SIGTERM', async () => {
  await app.close();
  await bare.close();
  await database.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
