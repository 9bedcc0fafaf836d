import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a repeating timer may live: the runner itself, and the SSE helper's heartbeat. */
const ALLOWED = new Set([
  'platform/jobs/runner.ts',
  'platform/http/sse.ts',
  // Not work: a no-op handle that keeps Node running while someone awaits idle().
  'modules/threats/pipeline.ts',
]);

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('background work', () => {
  it('runs on the jobs runner: no module keeps a setInterval of its own', () => {
    const offenders = sources(SRC)
      .map((file) => path.relative(SRC, file).split(path.sep).join('/'))
      .filter((file) => !ALLOWED.has(file))
      .filter((file) => fs.readFileSync(path.join(SRC, file), 'utf8').includes('setInterval('));
    expect(offenders).toEqual([]);
  });
});
