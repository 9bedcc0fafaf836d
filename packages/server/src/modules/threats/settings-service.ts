import type {
  DetectorSettings,
  DetectorType,
  ResponseRule,
  ThreatSettingsOut,
  UpdateThreatSettingsBody,
} from '@custos/shared';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { badRequest } from '../../platform/http/errors';
import { type AuditChanges, changesBetween } from '../audit';
import {
  DETECTOR_CATALOG,
  defaultThreatSettings,
  FIXED_DETECTORS,
  resolveThreatSettings,
  thresholdProblems,
} from './detect';
import type { ResolvedThreatSettings } from './detection';
import { findSettings, lockSettings, type StoredThreatSettings, saveSettings } from './settings-store';

/** How long a process reuses an organization's settings for detection (a PUT here clears it at once). */
const CACHE_MS = 2_000;
const LASTING_KINDS = new Set(['lock_account', 'block_ip']);

/** What is wrong with a settings change; empty = fine. */
function settingsProblems(body: UpdateThreatSettingsBody): string[] {
  const problems: string[] = [];
  for (const [type, settings] of Object.entries(body.detectors ?? {}) as [DetectorType, DetectorSettings][]) {
    const fixedSeverity = defaultThreatSettings().detectors[type].severity;
    if (FIXED_DETECTORS.has(type) && (!settings.enabled || settings.severity !== fixedSeverity)) {
      problems.push(
        `detectors.${type}: raised by Custos itself; it cannot be switched off or its severity changed`,
      );
    }
    problems.push(...thresholdProblems(type, settings.thresholds));
  }
  (body.responses ?? []).forEach((rule, i) => {
    for (const action of rule.actions) {
      if (action.durationMinutes != null && !LASTING_KINDS.has(action.kind)) {
        problems.push(`responses[${i}]: ${action.kind} happens once, so it takes no durationMinutes`);
      }
    }
  });
  return problems;
}

/** Field → [before, after] for each detector (as `detectors.<type>`) and the response rules that changed. */
function diff(before: ResolvedThreatSettings, after: ResolvedThreatSettings): AuditChanges {
  return {
    ...changesBetween(before.detectors, after.detectors, { prefix: 'detectors.' }),
    ...changesBetween(before, after, { keys: ['responses'] }),
  };
}

const resolve = (stored: StoredThreatSettings | undefined) => resolveThreatSettings(stored ?? null);

/**
 * Detector settings and response rules per organization. Only what an organization set is stored
 * (detectors it gave, its rule list); everything else follows the catalog's defaults, so a later
 * release's better defaults reach organizations that never changed them.
 */
export function createThreatSettingsService(deps: Deps) {
  const { db, audit } = deps;
  const cache = new Map<string, { until: number; value: Promise<ResolvedThreatSettings> }>();

  function present(stored: StoredThreatSettings | undefined): ThreatSettingsOut {
    const resolved = resolve(stored);
    return {
      detectors: resolved.detectors,
      responses: resolved.responses,
      catalog: DETECTOR_CATALOG,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  return {
    /** The settings detection runs with; cached ≤ 2 s per process (read outside any transaction). */
    settingsFor(organizationId: string): Promise<ResolvedThreatSettings> {
      const now = Date.now();
      const hit = cache.get(organizationId);
      if (hit && hit.until > now) return hit.value;
      const value = findSettings(db, organizationId).then(resolve);
      cache.set(organizationId, { until: now + CACHE_MS, value });
      // A failed read must not stick for the whole TTL.
      value.catch(() => cache.delete(organizationId));
      return value;
    },

    async get(caller: Caller): Promise<ThreatSettingsOut> {
      const { organizationId } = authorize(caller, 'security:read');
      return present(await findSettings(db, organizationId));
    },

    async update(caller: Caller, body: UpdateThreatSettingsBody): Promise<ThreatSettingsOut> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      const problems = settingsProblems(body);
      if (problems.length > 0) {
        throw badRequest('THREAT_SETTINGS_INVALID', `The settings are not valid: ${problems.join('; ')}.`, {
          problems,
        });
      }
      const out = await db.transaction().execute(async (trx) => {
        const at = nowIso();
        await lockSettings(trx, actor.organizationId, at);
        const before = await findSettings(trx, actor.organizationId);
        const next: StoredThreatSettings = {
          detectors: { ...before?.detectors, ...body.detectors },
          responses:
            body.responses !== undefined ? (body.responses as ResponseRule[]) : (before?.responses ?? null),
          updatedAt: at,
          updatedBy: actor.kind === 'user' ? actor.userId : actor.apiKeyId,
        };
        await saveSettings(trx, actor.organizationId, next);
        await audit.record(trx, actor, {
          action: 'threat_settings.updated',
          targets: [{ type: 'organization', id: actor.organizationId }],
          changes: diff(resolve(before), resolve(next)),
        });
        return present(next);
      });
      cache.delete(actor.organizationId);
      return out;
    },
  };
}

export type ThreatSettingsService = ReturnType<typeof createThreatSettingsService>;
