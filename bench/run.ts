/**
 * `npm run bench`: every figure beside a baseline or goal measured in the same run, then a summary.
 *   foundation.ts  session check and sign-in (the foundation issue);
 *   mfa.ts         TOTP verification through the service vs raw otpauth (sign-in hardening);
 *   audit.ts       audit ingestion, search over 1,000,000 events, export verification;
 *   access.ts      access decisions in-process vs casbin and CASL, POST /api/v1/authorize over HTTP;
 *   threats.ts     alert latency under sign-in load, detector throughput vs audit ingest.
 * BENCH_ONLY=foundation, mfa, audit, access or threats runs one group. Sizes and durations: docs/benchmarks.md.
 * The load generator (autocannon) runs in this process; the servers run in child processes.
 */
import { runAccess } from './access';
import { runAudit } from './audit';
import { printSummary, type SummaryRow } from './common';
import { runFoundation } from './foundation';
import { runMfa } from './mfa';
import { runThreats } from './threats';

const only = process.env.BENCH_ONLY;
const started = performance.now();
const rows: SummaryRow[] = [];
if (!only || only === 'foundation') rows.push(...(await runFoundation()));
if (!only || only === 'mfa') rows.push(...(await runMfa()));
if (!only || only === 'audit') rows.push(...(await runAudit()));
if (!only || only === 'access') rows.push(...(await runAccess()));
if (!only || only === 'threats') rows.push(...(await runThreats()));
printSummary(rows);
console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
