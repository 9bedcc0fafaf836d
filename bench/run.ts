/**
 * `npm run bench`: every figure beside a baseline or goal measured in the same run, then a summary.
 *   foundation.ts  session check and sign-in (the foundation issue);
 *   audit.ts       audit ingestion, search over 1,000,000 events, export verification.
 * BENCH_ONLY=foundation or BENCH_ONLY=audit runs one group. Sizes and durations: docs/benchmarks.md.
 * The load generator (autocannon) runs in this process; the servers run in child processes.
 */
import { runAudit } from './audit';
import { printSummary, type SummaryRow } from './common';
import { runFoundation } from './foundation';

const only = process.env.BENCH_ONLY;
const started = performance.now();
const rows: SummaryRow[] = [];
if (!only || only === 'foundation') rows.push(...(await runFoundation()));
if (!only || only === 'audit') rows.push(...(await runAudit()));
printSummary(rows);
console.log(`\n(total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
