/**
 * TOTP verification through the service against raw otpauth verification, in the same run and the
 * same process (goal: ratio >= 0.7), with BENCH_MFA_IN_FLIGHT (64) verifications in flight. The service path is what a sign-in's second step costs: read the
 * user's factors, open the sealed seed (AES-256-GCM), match the code (otpauth, ±1 step) and claim the
 * time step in the database so the code can never be used again. Every verification uses a code not
 * used before: BENCH_MFA_FACTORS users each verify once per round, at a time step of their own.
 * Rounds alternate raw and service so both see the same machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '@custos/server';
import { loadConfig } from '@custos/server/config';
import { migrateToLatest, openDatabase } from '@custos/server/db';
import { createLogger } from '@custos/server/log';
import { createMfaSecrets, totpCodeAt } from '@custos/server/mfa';
import { Secret, TOTP } from 'otpauth';
import { int, type SummaryRow } from './common';

const FACTORS = Number(process.env.BENCH_MFA_FACTORS ?? 5000);
const ROUNDS = Number(process.env.BENCH_MFA_ROUNDS ?? 3);
const GOAL = 0.7;
const STEP_MS = 30_000;
/** Second sign-in steps in flight at once, as on a busy server (they share commits). */
const IN_FLIGHT = Number(process.env.BENCH_MFA_IN_FLIGHT ?? 64);

interface Enrolled {
  userId: string;
  secret: string;
}

function rawVerify(enrolled: Enrolled[], at: number): number {
  const codes = enrolled.map((e) => totpCodeAt(e.secret, at));
  const started = performance.now();
  for (let i = 0; i < enrolled.length; i++) {
    const e = enrolled[i] as Enrolled;
    const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(e.secret) });
    if (totp.validate({ token: codes[i] as string, timestamp: at, window: 1 }) === null)
      throw new Error('raw otpauth refused a valid code');
  }
  return enrolled.length / ((performance.now() - started) / 1000);
}

export async function runMfa(): Promise<SummaryRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custos-bench-mfa-'));
  const config = loadConfig({
    CUSTOS_DATA_DIR: dataDir,
    CUSTOS_LOG_LEVEL: 'silent',
    CUSTOS_SIGN_IN_LIMIT_PER_ACCOUNT: '1000000',
  });
  const database = openDatabase(config.database);
  await migrateToLatest(database);
  const { app, services, deps } = await buildApp({
    config,
    database,
    logger: createLogger('silent'),
    webRoot: null,
  });
  try {
    const secrets = createMfaSecrets(deps.keyring);
    const enrolled: Enrolled[] = [];
    const at = new Date().toISOString();
    await deps.db.transaction().execute(async (trx) => {
      for (let i = 0; i < FACTORS; i++) {
        const userId = crypto.randomUUID();
        const factorId = crypto.randomUUID();
        const secret = new Secret({ size: 20 }).base32;
        await trx
          .insertInto('users')
          .values({
            id: userId,
            email: `mfa.${i}@bench.example`,
            name: `User ${i}`,
            passwordHash: 'x',
            isSuperAdmin: 0,
            disabledAt: null,
            emailVerifiedAt: at,
            passwordChangedAt: at,
            mfaEnabledAt: at,
            createdAt: at,
            updatedAt: at,
          })
          .execute();
        await trx
          .insertInto('mfaFactors')
          .values({
            id: factorId,
            userId,
            type: 'totp',
            name: 'Phone',
            secretSealed: secrets.sealTotpSecret(factorId, secret),
            lastUsedStep: 0,
            confirmedAt: at,
            createdAt: at,
            lastUsedAt: null,
          })
          .execute();
        enrolled.push({ userId, secret });
      }
    });

    const start = Date.now();
    let bestRaw = 0;
    let bestService = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Each round is a later time step, so every code is fresh for the service's replay guard.
      const moment = start + round * STEP_MS;
      bestRaw = Math.max(bestRaw, rawVerify(enrolled, moment));
      const codes = enrolled.map((e) => totpCodeAt(e.secret, moment));
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < enrolled.length) {
          const i = next++;
          const e = enrolled[i] as Enrolled;
          await services.mfaVerifier.verify(
            e.userId,
            { method: 'totp', code: codes[i] as string },
            null,
            moment,
          );
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      bestService = Math.max(bestService, enrolled.length / ((performance.now() - started) / 1000));
    }
    const ratio = bestService / bestRaw;
    console.log(`\nTOTP verification (in process, SQLite, ${IN_FLIGHT} in flight; best of ${ROUNDS} rounds)`);
    console.log(
      `  through the service (read, unseal, match, claim step) ${int(bestService).padStart(10)} /s`,
    );
    console.log(`  raw otpauth TOTP.validate (window 1)                 ${int(bestRaw).padStart(10)} /s`);
    console.log(`  ratio ${ratio.toFixed(3)} (goal >= ${GOAL}) ${ratio >= GOAL ? 'MET' : 'NOT MET'}`);
    return [
      {
        measurement: 'TOTP verify: service / raw otpauth',
        figure: `${ratio.toFixed(3)} (${int(bestService)} /s)`,
        goal: `>= ${GOAL}`,
        met: ratio >= GOAL,
      },
    ];
  } finally {
    await app.close();
    await database.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
