import type {
  DetectorSettings,
  DetectorType,
  ResponseAction,
  ResponseRule,
  Severity,
  ThreatSettingsOut,
  UpdateThreatSettingsBody,
} from '@custos/shared';
import type { ApiError } from '../../app/errors';
import { DETECTOR_ORDER, takesDuration } from './labels';

/**
 * The detection settings form: a draft of every detector and the response rules, what changed
 * against the saved settings, the body that saves it, and where the server's complaints belong.
 */

/** A threshold being typed: empty while the field is cleared. */
export type ThresholdDraft = number | '';

export interface DetectorDraft {
  enabled: boolean;
  severity: Severity;
  thresholds: Record<string, ThresholdDraft>;
}

export interface RuleDraft extends ResponseRule {
  /** A key for the list only; never sent. */
  key: string;
}

export interface SettingsDraft {
  detectors: Partial<Record<DetectorType, DetectorDraft>>;
  responses: RuleDraft[];
}

let nextKey = 0;
export function ruleKey(): string {
  nextKey += 1;
  return `rule-${nextKey}`;
}

function detectorDraft(settings: DetectorSettings): DetectorDraft {
  return { enabled: settings.enabled, severity: settings.severity, thresholds: { ...settings.thresholds } };
}

export function draftOf(settings: ThreatSettingsOut): SettingsDraft {
  const detectors: SettingsDraft['detectors'] = {};
  for (const type of DETECTOR_ORDER) {
    const saved = settings.detectors[type];
    if (saved) detectors[type] = detectorDraft(saved);
  }
  return {
    detectors,
    responses: settings.responses.map((rule) => ({
      ...rule,
      actions: rule.actions.map((a) => ({ ...a })),
      key: ruleKey(),
    })),
  };
}

/** A detector back at the catalog's defaults: enabled, default severity and thresholds. */
export function defaultDetector(info: ThreatSettingsOut['catalog'][number]): DetectorDraft {
  const thresholds: Record<string, ThresholdDraft> = {};
  for (const t of info.thresholds) thresholds[t.key] = t.default;
  return { enabled: true, severity: info.defaultSeverity, thresholds };
}

export function sameDetector(a: DetectorDraft, b: DetectorDraft): boolean {
  if (a.enabled !== b.enabled || a.severity !== b.severity) return false;
  const keys = new Set([...Object.keys(a.thresholds), ...Object.keys(b.thresholds)]);
  return [...keys].every((key) => a.thresholds[key] === b.thresholds[key]);
}

function normalizeAction(action: ResponseAction): ResponseAction {
  return takesDuration(action.kind)
    ? { kind: action.kind, durationMinutes: action.durationMinutes ?? null }
    : { kind: action.kind };
}

function ruleOut(rule: ResponseRule): ResponseRule {
  return {
    detector: rule.detector,
    minSeverity: rule.minSeverity,
    actions: rule.actions.map(normalizeAction),
  };
}

function sameRules(a: ResponseRule[], b: ResponseRule[]): boolean {
  return JSON.stringify(a.map(ruleOut)) === JSON.stringify(b.map(ruleOut));
}

/** The detectors whose draft differs from the saved settings. */
export function changedDetectors(draft: SettingsDraft, saved: ThreatSettingsOut): DetectorType[] {
  return DETECTOR_ORDER.filter((type) => {
    const own = draft.detectors[type];
    const stored = saved.detectors[type];
    return own !== undefined && stored !== undefined && !sameDetector(own, detectorDraft(stored));
  });
}

export function responsesChanged(draft: SettingsDraft, saved: ThreatSettingsOut): boolean {
  return !sameRules(draft.responses, saved.responses);
}

/** How many parts of the form are unsaved: one per detector, one for the response rules. */
export function changeCount(draft: SettingsDraft, saved: ThreatSettingsOut): number {
  return changedDetectors(draft, saved).length + (responsesChanged(draft, saved) ? 1 : 0);
}

/** What the form would refuse before asking the server: a cleared threshold, a rule without actions. */
export function draftProblems(draft: SettingsDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const type of DETECTOR_ORDER) {
    for (const [key, value] of Object.entries(draft.detectors[type]?.thresholds ?? {})) {
      if (value === '' || !Number.isFinite(value)) problems[thresholdField(type, key)] = 'Enter a number';
      else if (value < 0) problems[thresholdField(type, key)] = 'Must be 0 or more';
    }
  }
  draft.responses.forEach((rule, index) => {
    if (rule.actions.length === 0) problems[ruleField(index)] = 'Add at least one action';
  });
  return problems;
}

/** The PUT body: only the changed detectors, and the rules when they changed. */
export function updateBody(draft: SettingsDraft, saved: ThreatSettingsOut): UpdateThreatSettingsBody {
  const body: UpdateThreatSettingsBody = {};
  const changed = changedDetectors(draft, saved);
  if (changed.length > 0) {
    const detectors: Partial<Record<DetectorType, DetectorSettings>> = {};
    for (const type of changed) {
      const own = draft.detectors[type];
      if (!own) continue;
      const thresholds: Record<string, number> = {};
      for (const [key, value] of Object.entries(own.thresholds)) if (value !== '') thresholds[key] = value;
      detectors[type] = { enabled: own.enabled, severity: own.severity, thresholds };
    }
    body.detectors = detectors;
  }
  if (responsesChanged(draft, saved)) body.responses = draft.responses.map(ruleOut);
  return body;
}

// ---------------------------------------------------------------- the server's complaints

export const thresholdField = (type: string, key: string) => `detector:${type}:${key}`;
export const detectorField = (type: string) => `detector:${type}`;
export const ruleField = (index: number) => `rule:${index}`;
/** Complaints that belong to no field. */
export const OTHER_FIELD = 'other';

const KNOWN_TYPES: readonly string[] = DETECTOR_ORDER;

/** Where a complaint's path (`detectors.<type>.thresholds.<key>`, `responses.<i>…`) belongs. */
function fieldOfPath(path: string): string | undefined {
  const parts = path.split(/[.[\]]+/).filter(Boolean);
  if (parts[0] === 'detectors' && parts[1] && KNOWN_TYPES.includes(parts[1])) {
    return parts[2] === 'thresholds' && parts[3]
      ? thresholdField(parts[1], parts[3])
      : detectorField(parts[1]);
  }
  if (parts[0] === 'responses' && parts[1] && /^\d+$/.test(parts[1])) return ruleField(Number(parts[1]));
  return undefined;
}

/** A message such as "brute_force_account.failures: must be between 1 and 1000000". */
function placeMessage(message: string): { field: string; message: string } {
  const match = /^([A-Za-z_[\].\d]+):\s*(.+)$/.exec(message);
  if (match?.[1] && match[2]) {
    const [, where, text] = match;
    const [type, key] = where.split('.');
    if (type && KNOWN_TYPES.includes(type)) {
      return { field: key ? thresholdField(type, key) : detectorField(type), message: text };
    }
    const field = fieldOfPath(where);
    if (field) return { field, message: text };
  }
  // "brute_force_account: unknown threshold …" has no key; a type anywhere names the card.
  const named = KNOWN_TYPES.find((type) => message.startsWith(`${type}:`) || message.startsWith(`${type}.`));
  return { field: named ? detectorField(named) : OTHER_FIELD, message };
}

function issuesOf(details: unknown): unknown[] {
  if (Array.isArray(details)) return details;
  if (typeof details === 'object' && details !== null) {
    for (const key of ['problems', 'issues', 'errors']) {
      const list = (details as Record<string, unknown>)[key];
      if (Array.isArray(list)) return list;
    }
  }
  return [];
}

/**
 * Sorts a refused save's messages onto the form's fields. `THREAT_SETTINGS_INVALID` lists problems
 * as text ("<type>.<threshold>: …") or `{ path, message }`; `VALIDATION_FAILED` as `{ path, message }`.
 */
export function serverProblems(error: ApiError | undefined): Record<string, string[]> {
  const placed: Record<string, string[]> = {};
  if (!error || (error.code !== 'THREAT_SETTINGS_INVALID' && error.code !== 'VALIDATION_FAILED'))
    return placed;
  const add = (field: string, message: string) => {
    placed[field] = [...(placed[field] ?? []), message];
  };
  for (const issue of issuesOf(error.details)) {
    if (typeof issue === 'string') {
      const { field, message } = placeMessage(issue);
      add(field, message);
    } else if (typeof issue === 'object' && issue !== null) {
      const { path, message } = issue as { path?: unknown; message?: unknown };
      const text = typeof message === 'string' ? message : JSON.stringify(issue);
      const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      add(fieldOfPath(where) ?? OTHER_FIELD, where && !fieldOfPath(where) ? `${where}: ${text}` : text);
    }
  }
  return placed;
}
