import type {
  AccessRuleList,
  AccessRuleOut,
  CreateAccessRuleBody,
  TestAccessRulesBody,
  TestAccessRulesResult,
  TimeWindow,
  UpdateAccessRuleBody,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller, requireStepUp } from '../../platform/http/caller';
import { badRequest, conflict, forbidden, notFound } from '../../platform/http/errors';
import { changesBetween } from '../audit';
import { countryLabel } from './countries';
import { ruleRequest, subjectOf } from './enforce';
import type { AccessPolicies } from './policies';
import type { OrgAccess } from './policy';
import {
  isTimeZone,
  localTimeLabel,
  normalizeCidrs,
  normalizeCountries,
  normalizeWindows,
  requireAddress,
} from './rule-values';
import { type AccessRuleRow, compileRules, evaluateRules, type RuleVerdict } from './rules';
import * as rulesStore from './rules-store';
import { bumpAccessVersion, findAccessHead } from './store';

type CreateBody = z.output<typeof CreateAccessRuleBody>;
type TestBody = z.output<typeof TestAccessRulesBody>;
type ValueField = 'cidrs' | 'countries' | 'windows';

const VALUE_FIELD: Record<AccessRuleRow['kind'], ValueField> = {
  ip: 'cidrs',
  country: 'countries',
  time: 'windows',
};

const ruleNotFound = () => notFound('ACCESS_RULE_NOT_FOUND', 'There is no access rule with that id.');

export function presentRule(rule: rulesStore.StoredRule): AccessRuleOut {
  const list = Array.isArray(rule.value) ? rule.value : [];
  return {
    id: rule.id,
    kind: rule.kind,
    effect: rule.effect,
    target: rule.target,
    role: rule.role,
    cidrs: rule.kind === 'ip' ? (list as string[]) : null,
    countries: rule.kind === 'country' ? (list as string[]) : null,
    windows: rule.kind === 'time' ? (list as TimeWindow[]) : null,
    description: rule.description,
    enabled: rule.enabled,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
  };
}

/** A rule's value of its kind, checked and normalised (400 ACCESS_RULE_INVALID naming the entry). */
function normalizeValue(
  kind: AccessRuleRow['kind'],
  given: { cidrs?: string[]; countries?: string[]; windows?: TimeWindow[] },
): string[] | TimeWindow[] {
  for (const field of Object.values(VALUE_FIELD)) {
    if (field !== VALUE_FIELD[kind] && given[field] !== undefined) {
      throw badRequest('ACCESS_RULE_INVALID', `A ${kind} rule holds ${VALUE_FIELD[kind]}, not ${field}.`, {
        field,
      });
    }
  }
  if (kind === 'ip') return normalizeCidrs(given.cidrs ?? []);
  if (kind === 'country') return normalizeCountries(given.countries ?? []);
  return normalizeWindows(given.windows ?? []);
}

/** `role` is named exactly when the target is 'role', and must be a role of the organization. */
function checkTarget(target: AccessRuleRow['target'], role: string | null, access: OrgAccess): void {
  if (target === 'role') {
    if (!role) {
      throw badRequest('ACCESS_RULE_INVALID', 'A rule for a role must name the role.', { field: 'role' });
    }
    if (!access.hasRole(role)) {
      throw badRequest('ROLE_NOT_FOUND', `There is no role "${role}" in this organization.`, { role });
    }
  } else if (role !== null) {
    throw badRequest('ACCESS_RULE_INVALID', 'Only a rule with target "role" names a role.', {
      field: 'role',
      value: role,
    });
  }
}

/** What to do about a change that would refuse the admin's own current request. */
function lockoutHint(
  verdict: Extract<RuleVerdict, { allowed: false }>,
  ip: string | null,
  country: string | null,
  at: number,
  timeZone: string,
) {
  switch (verdict.rule.kind) {
    case 'ip':
      return verdict.rule.effect === 'allow'
        ? `Add your current address (${ip ?? 'unknown'}) to an allow list first, or aim the rule at others.`
        : `Take your current address (${ip ?? 'unknown'}) out of the deny list, or aim the rule at others.`;
    case 'country':
      return verdict.rule.effect === 'allow'
        ? `Allow your current country (${country ? countryLabel(country) : 'unknown'}) first, or add your address to an allow list.`
        : `Your current country is ${country ? countryLabel(country) : 'unknown'}: take it out of the rule, or aim the rule at others.`;
    case 'time':
      return `It is ${localTimeLabel(at, timeZone)} in ${timeZone} now: widen the hours to include now, or save the change at a time inside them.`;
  }
}

/**
 * The access-rule editor: list, create, change, delete, the organization's time zone, and the
 * tester. Every change bumps the access version in its transaction (so every process applies it on
 * its next request), is audited there, and is first tried on the admin's own current request: a
 * change that would lock its author out is refused with 409 ACCESS_RULE_LOCKOUT and nothing written.
 */
export function createAccessRulesService(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, geo, audit, accessPolicies: policies } = deps;

  /** Refuses (409) when `rows` in `timeZone` would deny the caller's own current request. */
  function guardAgainstLockout(
    caller: OrganizationCaller,
    rows: readonly AccessRuleRow[],
    timeZone: string,
  ): void {
    const rules = compileRules(rows, timeZone);
    if (rules.empty) return;
    const at = Date.now();
    const request = ruleRequest(rules, geo, subjectOf(caller), at);
    const verdict = evaluateRules(rules, request);
    if (verdict.allowed) return;
    const country = request.country ?? geo.country(request.ip);
    throw conflict(
      'ACCESS_RULE_LOCKOUT',
      `Saving this would lock you out: ${verdict.message}. ${lockoutHint(verdict, request.ip, country, at, timeZone)}`,
      { rule: verdict.rule },
    );
  }

  /**
   * Rules that can refuse owners are an owner's to set: otherwise an admin (or an API key, which is
   * no member at all, so the lockout check cannot speak for owners) could lock every owner out.
   */
  function requireOwnerFor(
    caller: OrganizationCaller,
    rules: readonly Pick<AccessRuleRow, 'target' | 'role'>[],
  ): void {
    const reachesOwners = rules.some(
      (r) => r.target === 'everyone' || r.target === 'members' || (r.target === 'role' && r.role === 'owner'),
    );
    if (!reachesOwners || (caller.kind === 'user' && caller.roles.includes('owner'))) return;
    throw forbidden(
      'OWNER_REQUIRED',
      'Only an owner can set rules that apply to owners (everyone, all members, or the owner role). Aim the rule at another role or at API keys, or ask an owner.',
    );
  }

  /** Takes the organization's lock (by bumping its access version) and reads the rules and zone. */
  async function begin(trx: Transaction<DB>, organizationId: string) {
    await bumpAccessVersion(trx, organizationId);
    const [access, rows] = await Promise.all([
      policies.current(trx, organizationId),
      rulesStore.listRuleRows(trx, organizationId),
    ]);
    return { access, rows };
  }

  async function listFor(caller: OrganizationCaller): Promise<AccessRuleList> {
    const [rules, head] = await Promise.all([
      rulesStore.listRules(db, caller.organizationId),
      findAccessHead(db, caller.organizationId),
    ]);
    const ip = caller.meta.ip;
    return {
      timeZone: head?.timeZone ?? 'UTC',
      rules: rules.map(presentRule),
      yourRequest: { ip, country: geo.country(ip) },
    };
  }

  return {
    async list(caller: Caller): Promise<AccessRuleList> {
      return listFor(authorize(caller, 'access:read'));
    },

    async create(caller: Caller, body: CreateBody): Promise<AccessRuleOut> {
      const actor = authorize(caller, 'access:manage');
      requireStepUp(caller);
      const value = normalizeValue(body.kind, body);
      return db.transaction().execute(async (trx) => {
        const { access, rows } = await begin(trx, actor.organizationId);
        checkTarget(body.target, body.role, access);
        const write = {
          id: newId(),
          kind: body.kind,
          effect: body.effect,
          target: body.target,
          role: body.role,
          value,
          description: body.description,
          enabled: body.enabled,
        };
        requireOwnerFor(actor, [write]);
        guardAgainstLockout(actor, [...rows, write], access.timeZone);
        const rule = await rulesStore.insertRule(trx, actor.organizationId, write, actorId(actor));
        const out = presentRule(rule);
        await audit.record(trx, actor, {
          action: 'access_rule.created',
          targets: [{ type: 'access_rule', id: rule.id, name: ruleName(out) }],
          metadata: { rule: snapshot(out) },
        });
        return out;
      });
    },

    async update(caller: Caller, id: string, patch: UpdateAccessRuleBody): Promise<AccessRuleOut> {
      const actor = authorize(caller, 'access:manage');
      requireStepUp(caller);
      return db.transaction().execute(async (trx) => {
        const { access, rows } = await begin(trx, actor.organizationId);
        const before = await rulesStore.findRule(trx, actor.organizationId, id);
        if (!before) throw ruleNotFound();
        const givesValue =
          patch.cidrs !== undefined || patch.countries !== undefined || patch.windows !== undefined;
        const value = givesValue ? normalizeValue(before.kind, patch) : before.value;
        const target = patch.target ?? before.target;
        const role = patch.role !== undefined ? patch.role : target === 'role' ? before.role : null;
        checkTarget(target, role, access);
        const next = {
          effect: patch.effect ?? before.effect,
          target,
          role,
          value,
          description: patch.description ?? before.description,
          enabled: patch.enabled ?? before.enabled,
        };
        requireOwnerFor(actor, [before, next]);
        guardAgainstLockout(
          actor,
          rows.map((r) => (r.id === id ? { ...r, ...next } : r)),
          access.timeZone,
        );
        await rulesStore.updateRule(trx, actor.organizationId, id, next);
        const after = await rulesStore.findRule(trx, actor.organizationId, id);
        if (!after) throw ruleNotFound();
        await audit.record(trx, actor, {
          action: 'access_rule.updated',
          targets: [{ type: 'access_rule', id, name: ruleName(presentRule(after)) }],
          changes: changesBetween(snapshot(presentRule(before)), snapshot(presentRule(after))),
        });
        return presentRule(after);
      });
    },

    async remove(caller: Caller, id: string): Promise<void> {
      const actor = authorize(caller, 'access:manage');
      requireStepUp(caller);
      await db.transaction().execute(async (trx) => {
        const { access, rows } = await begin(trx, actor.organizationId);
        const rule = await rulesStore.findRule(trx, actor.organizationId, id);
        if (!rule) throw ruleNotFound();
        requireOwnerFor(actor, [rule]);
        // Deleting an allow rule can lock its author out too (the last rule that let them in).
        guardAgainstLockout(
          actor,
          rows.filter((r) => r.id !== id),
          access.timeZone,
        );
        await rulesStore.deleteRule(trx, actor.organizationId, id);
        await audit.record(trx, actor, {
          action: 'access_rule.deleted',
          targets: [{ type: 'access_rule', id, name: ruleName(presentRule(rule)) }],
          metadata: { rule: snapshot(presentRule(rule)) },
        });
      });
    },

    /** The zone time windows are read in; changing it moves every window, so it is guarded too. */
    async setTimeZone(caller: Caller, timeZone: string): Promise<AccessRuleList> {
      const actor = authorize(caller, 'access:manage');
      requireStepUp(caller);
      if (!isTimeZone(timeZone)) {
        throw badRequest(
          'TIME_ZONE_INVALID',
          `"${timeZone}" is not a time zone. Use an IANA name such as Europe/Berlin or America/New_York, or UTC.`,
          { timeZone },
        );
      }
      await db.transaction().execute(async (trx) => {
        const { access, rows } = await begin(trx, actor.organizationId);
        requireOwnerFor(
          actor,
          rows.filter((r) => r.kind === 'time' && r.enabled),
        );
        guardAgainstLockout(actor, rows, timeZone);
        await rulesStore.setTimeZone(trx, actor.organizationId, timeZone);
        await audit.record(trx, actor, {
          action: 'access_rules.time_zone_changed',
          targets: [{ type: 'organization', id: actor.organizationId }],
          changes: { timeZone: [access.timeZone, timeZone] },
        });
      });
      return listFor(actor);
    },

    /** Would this IP, at this time, as these roles (or as an API key), be let in? Read-only. */
    async test(caller: Caller, body: TestBody): Promise<TestAccessRulesResult> {
      const actor = authorize(caller, 'access:read');
      const ip = requireAddress(body.ip);
      const access = await policies.current(db, actor.organizationId);
      const roles = body.apiKey ? [] : (body.roles ?? []);
      for (const role of roles) {
        if (!access.hasRole(role)) {
          throw badRequest('ROLE_NOT_FOUND', `There is no role "${role}" in this organization.`, { role });
        }
      }
      const at = body.at ? Date.parse(body.at) : Date.now();
      const country = geo.country(ip);
      const verdict = evaluateRules(access.rules, { ip, country, at, roles, apiKey: body.apiKey });
      return {
        allowed: verdict.allowed,
        ip,
        country,
        at: new Date(at).toISOString(),
        localTime: localTimeLabel(at, access.timeZone),
        timeZone: access.timeZone,
        rule: verdict.allowed ? null : verdict.rule,
        message: verdict.allowed ? 'Allowed: no access rule refuses this request.' : verdict.message,
      };
    },
  };
}

function actorId(caller: OrganizationCaller): string {
  return caller.kind === 'user' ? caller.userId : caller.apiKeyId;
}

/** The fields an audit event keeps of a rule. */
const KIND_WORDS: Record<AccessRuleOut['kind'], string> = {
  ip: 'IP rule',
  country: 'country rule',
  time: 'time rule',
};

/** How the audit log names a rule: its description, else its kind and effect ("deny IP rule"). */
function ruleName(rule: AccessRuleOut): string {
  return rule.description?.trim() || `${rule.effect} ${KIND_WORDS[rule.kind]}`;
}

function snapshot(rule: AccessRuleOut) {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...fields } = rule;
  return fields;
}

export type AccessRulesService = ReturnType<typeof createAccessRulesService>;
