import { DETECTOR_TYPES } from '@custos/shared';
import { expect, it } from 'vitest';
import { createTestApp } from '../../../test/harness';
import { toJson } from '../../platform/db/json';

it('probe', async () => {
  const t = await createTestApp('sqlite');
  const org = await t.createOrganization('X');
  const off = { enabled: false, severity: 'low', thresholds: {} };
  await t.db.insertInto('threatSettings').values({
    organizationId: org.id,
    detectors: toJson(Object.fromEntries(DETECTOR_TYPES.map((type) => [type, off]))),
    responses: toJson([]), updatedAt: new Date().toISOString(), updatedBy: null,
  }).execute();
  const s = await t.services.threats.settings.settingsFor(org.id);
  console.log('right after insert', s.detectors.impossible_travel, s.responses.length);
  await new Promise((r) => setTimeout(r, 2100));
  const s2 = await t.services.threats.settings.settingsFor(org.id);
  console.log('2.1 s later', s2.detectors.impossible_travel, s2.responses.length);
  const got = (await t.services.threats.settings.get(await t.services.sessions.authenticate(org.owner.token, { ip: null, userAgent: null, requestId: null, source: 'api' }, { touch: false }) as never));
  console.log('GET view', got.detectors.impossible_travel);
  expect(1).toBe(1);
  await t.close();
});
