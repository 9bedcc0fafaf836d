/**
 * `npm run bench`: every figure beside a baseline or goal measured in the same run, then a summary.
 *   foundation.ts  session check and sign-in (the foundation issue);
 *   mfa.ts         TOTP verification through the service vs raw otpauth (sign-in hardening);
 *   audit.ts       audit ingestion, search over 1,000,000 events, export verification.
 * BENCH_ONLY=foundation, mfa or audit runs one group. Sizes and durations: docs/benchmarks.md.
 * The load generator (autocannon) runs in this process; the servers run in child processes.
 */
import { runAudit } from './audit';
import { printSummary, type SummaryRow } from './common';
import { runFoundation } from './foundation';
import { runMfa } from './mfa';

const only = process.env.BENCH_ONLY;
const started = performance.now();
const rows: SummaryRow[] = [];
if (!only || only === 'foundation') rows.push(...(await runFoundation()));
if (!only || only === 'mfa') rows.push(...(await runMfa()));
if (!only || only === 'audit') rows.push(...(await runAudit()));
printSummary(rows);
console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
