/**
 * `POST /api/v1/authorize` over HTTP, BENCH_ACCESS_CONNECTIONS (64) connections, BENCH_ACCESS_SECONDS
 * (4) s per measurement after a 1 s warm-up, on SQLite and, when CUSTOS_BENCH_DATABASE_URL (or
 * CUSTOS_TEST_DATABASE_URL) is set, PostgreSQL. The server (access-server.ts) starts with an owner
 * only; the rest is seeded as a host app and an admin would, over HTTP: an API key with access:check
 * and access:register, the host app's permissions (PUT /api/v1/app-permissions), a custom role
 * (POST /api/v1/roles), a member invited and signed in through the invitation, given the role with
 * PATCH /api/v1/members/:userId. Measured: an allowed decision by userId and by sessionToken, and a
 * denied one by userId (every deny is also an `access.denied` audit event). BENCH_AUDIT_PROFILE=1
 * makes each server write a CPU profile into bench/.data/profiles/access-<backend>/.
 */
import type { AuthorizeBody, AuthorizeResult } from '@custos/shared';
import type { AccessServerInfo } from './access-server';
import {
  fmt,
  int,
  type Load,
  load,
  PASSWORD,
  profileArgs,
  type SummaryRow,
  startChild,
  stopChild,
} from './common';

const CONNECTIONS = Number(process.env.BENCH_ACCESS_CONNECTIONS ?? 64);
const HTTP_SECONDS = Number(process.env.BENCH_ACCESS_SECONDS ?? 4);
const postgresUrl = process.env.CUSTOS_BENCH_DATABASE_URL ?? process.env.CUSTOS_TEST_DATABASE_URL;

const APP_PERMISSIONS = ['document:read', 'document:write', 'invoice:read', 'invoice:approve'];
const ROLE = {
  key: 'editor',
  name: 'Editor',
  permissions: ['document:read', 'document:write', 'invoice:read'],
};

async function call<T>(
  base: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface Seeded {
  key: string;
  userId: string;
  sessionToken: string;
}

async function seed(info: AccessServerInfo): Promise<Seeded> {
  const base = info.url;
  // A fresh sign-in counts as a recent verification, so the owner needs no step-up below.
  const { token: owner } = await call<{ token: string }>(base, 'POST', '/api/v1/auth/sign-in', null, {
    email: info.email,
    password: info.password,
    tokenType: 'bearer',
  });
  const { secret: key } = await call<{ secret: string }>(base, 'POST', '/api/v1/api-keys', owner, {
    name: 'host app',
    permissions: ['access:check', 'access:register'],
  });
  await call(base, 'PUT', '/api/v1/app-permissions', key, {
    permissions: APP_PERMISSIONS.map((p) => ({ key: p, description: `bench ${p}` })),
  });
  await call(base, 'POST', '/api/v1/roles', owner, ROLE);
  const { inviteUrl } = await call<{ inviteUrl?: string }>(base, 'POST', '/api/v1/invitations', owner, {
    email: `member.${Date.now()}@example.com`,
    roles: ['member'],
  });
  const inviteToken = new URL(inviteUrl ?? '').hash.replace('#token=', '');
  const accepted = await call<{ user: { id: string }; token: string }>(
    base,
    'POST',
    '/api/v1/invitations/accept',
    null,
    { token: inviteToken, name: 'Bench Member', password: PASSWORD, tokenType: 'bearer' },
  );
  await call(base, 'PATCH', `/api/v1/members/${accepted.user.id}`, owner, { roles: ['member', ROLE.key] });
  return { key, userId: accepted.user.id, sessionToken: accepted.token };
}

interface Measurement {
  label: string;
  body: AuthorizeBody;
  allowed: boolean;
}

async function measure(info: AccessServerInfo, seeded: Seeded, m: Measurement): Promise<Load> {
  // One answer checked first: the load below only counts status codes.
  const answer = await call<AuthorizeResult>(info.url, 'POST', '/api/v1/authorize', seeded.key, m.body);
  if (answer.allowed !== m.allowed) {
    throw new Error(`${m.label}: expected allowed=${m.allowed}, got ${JSON.stringify(answer)}`);
  }
  const options = {
    url: `${info.url}/api/v1/authorize`,
    method: 'POST' as const,
    connections: CONNECTIONS,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${seeded.key}` },
    body: JSON.stringify(m.body),
  };
  await load({ ...options, duration: 1 });
  return load({ ...options, duration: HTTP_SECONDS });
}

export async function runAuthorizeHttp(): Promise<SummaryRow[]> {
  const backends: Array<'sqlite' | 'postgres'> = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
  console.log(
    `\n== POST /api/v1/authorize: ${CONNECTIONS} connections, ${HTTP_SECONDS} s per measurement (after 1 s warm-up)`,
  );
  if (!postgresUrl) console.log('  (PostgreSQL skipped: set CUSTOS_BENCH_DATABASE_URL to include it)');
  const rows: SummaryRow[] = [];
  for (const backend of backends) {
    const env: Record<string, string> =
      backend === 'postgres' && postgresUrl ? { BENCH_ACCESS_PG_URL: postgresUrl } : {};
    const { child, info } = await startChild<AccessServerInfo>(
      './access-server.ts',
      env,
      profileArgs(`access-${backend}`),
    );
    try {
      const seeded = await seed(info);
      const measurements: Measurement[] = [
        {
          label: 'allowed, by userId',
          body: { subject: { userId: seeded.userId }, permission: 'document:write' },
          allowed: true,
        },
        {
          label: 'allowed, by sessionToken',
          body: { subject: { sessionToken: seeded.sessionToken }, permission: 'document:write' },
          allowed: true,
        },
        {
          label: 'denied, by userId (audited)',
          body: { subject: { userId: seeded.userId }, permission: 'invoice:approve' },
          allowed: false,
        },
      ];
      console.log(`\n${backend}`);
      for (const m of measurements) {
        const l = await measure(info, seeded, m);
        console.log(
          `  ${m.label.padEnd(30)} ${fmt(l.okPerSecond)} req/s   p50 ${fmt(l.p50)} ms   p99 ${fmt(l.p99)} ms   errors ${l.errors + l.non2xx}`,
        );
        rows.push({
          measurement: `POST /api/v1/authorize ${backend}, ${m.label}`,
          figure: `${int(l.okPerSecond)} req/s, p99 ${l.p99} ms${l.errors + l.non2xx ? `, ${l.errors + l.non2xx} errors` : ''}`,
          goal: '—',
          met: null,
        });
      }
    } finally {
      await stopChild(child);
    }
  }
  return rows;
}
