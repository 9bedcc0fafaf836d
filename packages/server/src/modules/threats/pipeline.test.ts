import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { createLogger } from '../../platform/log';
import type { CommittedAuditEvent } from '../audit';
import { defaultThreatSettings } from './detect';
import type { Detection, DetectorEngine } from './detection';
import { createThreatPipeline, type ThreatPipelineOptions } from './pipeline';
import type { Signal } from './signal';

const log = createLogger('silent');
const signalContext = { country: () => null, device: () => null, hashEmail: (e: string) => e };
const settingsFor = async () => ({ ...defaultThreatSettings(), responses: [] });

let seq = 0;
/** A committed event as the audit recorder publishes it: a failed sign-in, or a user's activity. */
function committed(organizationId: string, kind: 'sign_in' | 'activity', userId = 'u1'): CommittedAuditEvent {
  seq += 1;
  const at = nowIso();
  return {
    id: newId(),
    organizationId,
    logId: organizationId,
    seq,
    occurredAt: at,
    receivedAt: at,
    actor:
      kind === 'sign_in'
        ? { type: 'anonymous', id: null, name: null, ip: '198.51.100.7', userAgent: null }
        : { type: 'user', id: userId, name: 'Member Person', ip: '203.0.113.10', userAgent: null },
    impersonator: null,
    action: kind === 'sign_in' ? 'user.sign_in_failed' : 'document.viewed',
    outcome: kind === 'sign_in' ? 'failure' : 'success',
    targets: [{ type: 'user', id: userId }],
    source: 'console',
    requestId: null,
    changes: null,
    metadata: kind === 'sign_in' ? { reason: 'bad_password' } : null,
    personal: [],
    subjectRef: null,
  };
}

function detectionOf(signal: Signal, dedupKey: string): Detection {
  return {
    type: 'brute_force_account',
    severity: 'high',
    organizationId: signal.organizationId ?? 'platform',
    dedupKey,
    subject: { type: 'user', id: signal.userId ?? 'nobody', label: null },
    sourceIp: signal.ip,
    country: null,
    explanation: 'test',
    details: {},
    evidence: [
      {
        auditEventId: signal.auditEventId,
        seq: signal.seq,
        action: signal.action,
        occurredAt: signal.occurredAt,
      },
    ],
    userId: signal.userId,
  };
}

function recordingEngine(detect: (signal: Signal) => Detection[] = () => []) {
  const seen: Signal[] = [];
  const engine: DetectorEngine = {
    async process(signal) {
      seen.push(signal);
      return detect(signal);
    },
    async close() {},
  };
  return { engine, seen };
}

function pipelineWith(engine: DetectorEngine, over: Partial<ThreatPipelineOptions> = {}) {
  return createThreatPipeline({
    log,
    engine,
    settingsFor,
    signalContext,
    record: async () => ({ created: true }),
    ...over,
  });
}

describe('the threat pipeline', () => {
  it('gives the event loop back while a backlog runs, even when every step resolves at once', async () => {
    const { engine, seen } = recordingEngine();
    const pipeline = pipelineWith(engine);
    const org = newId();
    pipeline.handle(Array.from({ length: 5_000 }, () => committed(org, 'sign_in')));
    // Other work (a request, the alert stream) queued behind the backlog.
    let seenWhenOtherWorkRan = -1;
    setImmediate(() => {
      seenWhenOtherWorkRan = seen.length;
    });
    await pipeline.idle();
    expect(seen).toHaveLength(5_000);
    expect(seenWhenOtherWorkRan).toBeGreaterThanOrEqual(0);
    expect(seenWhenOtherWorkRan).toBeLessThan(5_000);
  });

  it('queues signals, not events, and sheds activity before sign-in signals near its bound', async () => {
    const { engine, seen } = recordingEngine();
    const pipeline = pipelineWith(engine, { maxPending: 10 });
    const org = newId();
    const big = { ...committed(org, 'activity'), metadata: { blob: 'x'.repeat(100_000) } };
    pipeline.handle([
      big,
      ...Array.from({ length: 11 }, () => committed(org, 'activity')),
      committed(org, 'sign_in'),
      committed(org, 'sign_in'),
    ]);
    await pipeline.idle();
    // Activity may fill 80 % of the bound; the rest stays for sign-ins.
    expect(seen.filter((s) => s.kind === 'activity')).toHaveLength(8);
    expect(seen.filter((s) => s.kind === 'sign_in_failed')).toHaveLength(2);
    expect(pipeline.stats).toMatchObject({ signals: 10, dropped: 4 });
    // What waited was the signal: the event's metadata is not part of it.
    expect(JSON.stringify(seen[0])).not.toContain('xxxx');
  });

  it('runs at most four detection writes at once; the others wait and gather their repeats', async () => {
    let active = 0;
    let most = 0;
    let occurrences = 0;
    const { engine } = recordingEngine((s) => [detectionOf(s, `ip:${s.seq % 50}`)]);
    const pipeline = pipelineWith(engine, {
      coalesceMs: 1,
      async record(_detection, _settings, n) {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 2));
        active -= 1;
        occurrences += n;
        return { created: true };
      },
    });
    const org = newId();
    pipeline.handle(Array.from({ length: 500 }, () => committed(org, 'sign_in')));
    await pipeline.idle();
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(0);
    expect(occurrences).toBe(500);
  });

  it('idle() keeps Node running until it resolves (the quiet-period timers are unref’d)', () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    // Two detections of one key: the second waits for the quiet period after the first write,
    // on an unref'd timer; nothing else keeps this process alive.
    const script = `
      import { createThreatPipeline } from ${JSON.stringify(`${here}pipeline.ts`)};
      const log = { error() {}, warn() {} };
      const at = new Date().toISOString();
      const event = (seq) => ({
        id: 'e' + seq, organizationId: 'org', logId: 'org', seq, occurredAt: at, receivedAt: at,
        actor: { type: 'anonymous', id: null, name: null, ip: '198.51.100.7', userAgent: null },
        impersonator: null, action: 'user.sign_in_failed', outcome: 'failure',
        targets: [{ type: 'user', id: 'u1' }], source: 'console', requestId: null, changes: null,
        metadata: null, personal: [], subjectRef: null,
      });
      const pipeline = createThreatPipeline({
        log,
        engine: {
          async process(s) {
            return [{ type: 'brute_force_account', severity: 'high', organizationId: 'org',
              dedupKey: 'k', subject: { type: 'user', id: 'u1', label: null }, sourceIp: null,
              country: null, explanation: '', details: {}, evidence: [], userId: 'u1' }];
          },
          async close() {},
        },
        settingsFor: async () => ({ detectors: {}, responses: [] }),
        signalContext: { country: () => null, device: () => null, hashEmail: (e) => e },
        async record() {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { created: true };
        },
        coalesceMs: 100,
      });
      pipeline.handle([event(1), event(2)]);
      await pipeline.idle();
      console.log('idle resolved');
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: here,
      encoding: 'utf8',
    });
    expect(run.stderr).not.toContain('unsettled');
    expect(run.stdout).toContain('idle resolved');
    expect(run.status).toBe(0);
  });
});
