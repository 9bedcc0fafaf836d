/**
 * The foundation's figures, each against a baseline measured in the same run:
 *   1. Session check: GET /api/v1/me with a bearer token vs a bare Fastify constant route, both served
 *      by the same server process (goal: ratio >= 0.5).
 *   2. Sign-in: POST /api/v1/auth/sign-in vs raw argon2id verification with the same parameters and
 *      the same concurrency (goal: ratio >= 0.8).
 * The load generator (autocannon) runs in this process; the servers run in a child process.
 */
import { ARGON2_OPTIONS } from '@custos/server/passwords';
import { hash, verify } from '@node-rs/argon2';
import { fmt, type Load, load, SECONDS, type SummaryRow, startChild, stopChild } from './common';

const HTTP_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * Twice libuv's thread pool (4 threads, where argon2 runs), for both measurements: a sign-in spends
 * part of its time outside argon2 (HTTP, SQLite), so with only 4 in flight the pool would sit idle
 * in those gaps and the ratio would measure the load generator, not the server.
 */
const SIGN_IN_CONCURRENCY = 8;

interface ServerInfo {
  custosUrl: string;
  bareUrl: string;
  email: string;
  password: string;
}

/**
 * The sign-in comparison runs in rounds, server then raw, so that this machine's drift (its speed
 * varies by up to 2x between minutes) falls on both sides alike; each side's rate is its total over
 * all rounds.
 */
const SIGN_IN_ROUNDS = 4;

/** Raw argon2id verifications for `seconds`, SIGN_IN_CONCURRENCY at a time; answers how many. */
async function rawArgon2(encoded: string, password: string, seconds: number): Promise<number> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      if (!(await verify(encoded, password))) throw new Error('argon2 verify failed');
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: SIGN_IN_CONCURRENCY }, worker));
  return done;
}

interface SignInComparison {
  server: Load;
  /** A bare Fastify route in the server process that only verifies: the HTTP path's own ceiling. */
  bareVerify: Load;
  raw: Load;
}

async function compareSignIn(info: ServerInfo): Promise<SignInComparison> {
  const body = JSON.stringify({ email: info.email, password: info.password, tokenType: 'bearer' });
  const encoded = await hash(info.password, ARGON2_OPTIONS);
  const seconds = Math.max(1, SECONDS / SIGN_IN_ROUNDS);
  const post = (url: string) =>
    load({
      url,
      method: 'POST',
      connections: SIGN_IN_CONCURRENCY,
      headers: { 'content-type': 'application/json' },
      body,
      duration: seconds,
    });
  const server: Load[] = [];
  const bare: Load[] = [];
  let rawDone = 0;
  for (let round = 0; round < SIGN_IN_ROUNDS; round += 1) {
    server.push(await post(`${info.custosUrl}/api/v1/auth/sign-in`));
    bare.push(await post(`${info.bareUrl}/verify`));
    rawDone += await rawArgon2(encoded, info.password, seconds);
  }
  const total = seconds * SIGN_IN_ROUNDS;
  const rate = rawDone / total;
  return {
    server: combine(server, total),
    bareVerify: combine(bare, total),
    raw: {
      rps: rate,
      okPerSecond: rate,
      ok: rawDone,
      p50: Number.NaN,
      p99: Number.NaN,
      errors: 0,
      non2xx: 0,
    },
  };
}

/** Rounds of one measurement as one: the rate over all of them, the worst latencies. */
function combine(rounds: Load[], seconds: number): Load {
  const ok = rounds.reduce((sum, r) => sum + r.ok, 0);
  return {
    rps: ok / seconds,
    okPerSecond: ok / seconds,
    ok,
    p50: Math.max(...rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
  };
}

function report(title: string, subject: string, s: Load, baseline: string, b: Load, goal: number) {
  const ratio = s.rps / b.rps;
  console.log(`\n${title}`);
  console.log(
    `  ${subject.padEnd(34)} ${fmt(s.rps)} req/s   p99 ${fmt(s.p99)} ms   errors ${s.errors + s.non2xx}`,
  );
  console.log(
    `  ${baseline.padEnd(34)} ${fmt(b.rps)} req/s   p99 ${fmt(b.p99)} ms   errors ${b.errors + b.non2xx}`,
  );
  console.log(`  ratio ${ratio.toFixed(3)} (goal >= ${goal}) ${ratio >= goal ? 'MET' : 'NOT MET'}`);
  return ratio;
}

export async function runFoundation(): Promise<SummaryRow[]> {
  // BENCH_SERVER_THREADPOOL sets the server's libuv pool (where argon2 runs) without touching the
  // baseline's, to measure how the pool's size shares two cores with the event loop.
  const pool = process.env.BENCH_SERVER_THREADPOOL;
  const { child, info } = await startChild<ServerInfo>(
    './server.ts',
    pool ? { UV_THREADPOOL_SIZE: pool } : {},
  );
  try {
    const signIn = await fetch(`${info.custosUrl}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: info.email, password: info.password, tokenType: 'bearer' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    console.log(
      `\n== Foundation: ${SECONDS}s per measurement, ${HTTP_CONNECTIONS} connections for HTTP checks`,
    );

    await load({
      url: `${info.custosUrl}/api/v1/me`,
      connections: HTTP_CONNECTIONS,
      duration: 2,
      headers: { authorization: `Bearer ${token}` },
    });
    const me = await load({
      url: `${info.custosUrl}/api/v1/me`,
      connections: HTTP_CONNECTIONS,
      headers: { authorization: `Bearer ${token}` },
    });
    const bare = await load({ url: `${info.bareUrl}/constant`, connections: HTTP_CONNECTIONS });
    const sessionRatio = report(
      'Session check',
      'GET /api/v1/me (bearer)',
      me,
      'bare Fastify constant route',
      bare,
      0.5,
    );

    const { server: signIns, bareVerify, raw } = await compareSignIn(info);
    const signInRatio = report(
      'Sign-in',
      'POST /api/v1/auth/sign-in',
      signIns,
      `raw argon2id verify (same params, ${SIGN_IN_ROUNDS} rounds interleaved)`,
      raw,
      0.8,
    );
    console.log(
      `  ${'bare Fastify route: verify only'.padEnd(34)} ${fmt(bareVerify.rps)} req/s   p99 ${fmt(bareVerify.p99)} ms   (HTTP ceiling ${(bareVerify.rps / raw.rps).toFixed(3)} of raw; sign-in ${(signIns.rps / bareVerify.rps).toFixed(3)} of it)`,
    );
    return [
      {
        measurement: 'session check / bare Fastify',
        figure: `${sessionRatio.toFixed(3)} (${Math.round(me.rps)} req/s)`,
        goal: '>= 0.5',
        met: sessionRatio >= 0.5,
      },
      {
        measurement: 'sign-in / raw argon2id',
        figure: `${signInRatio.toFixed(3)} (${signIns.rps.toFixed(0)} /s)`,
        goal: '>= 0.8',
        met: signInRatio >= 0.8,
      },
    ];
  } finally {
    await stopChild(child);
  }
}
