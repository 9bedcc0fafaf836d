import { z } from 'zod';
import { Id, SafeText, Timestamp } from './api';

/**
 * Contracts of access control: roles (built-in and custom) with their permission grants, host-app
 * permissions, the authorization API for host apps, and access rules (IP, country, time).
 */

/** A role's stable key: lowercase, digits and underscores, as members' roles refer to it. */
export const RoleKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{1,39}$/,
    'must be 2–40 lowercase letters, digits or underscores, starting with a letter',
  );

/** `<resource>:<action>`, both lowercase words (letters, digits, `_` and `-`). */
export const PERMISSION_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,39}:[a-z][a-z0-9_-]{0,39}$/;
export const PermissionKey = z
  .string()
  .regex(PERMISSION_KEY_PATTERN, 'must look like resource:action (lowercase letters, digits, _ or -)');

const Description = SafeText.pipe(z.string().max(300));
const RoleDisplayName = SafeText.pipe(z.string().min(1).max(80));

// ---------------------------------------------------------------- roles and the permission catalog

export const PermissionOut = z.object({
  id: z.string(),
  description: z.string(),
  /** The part before the colon: what the console groups the matrix rows by. */
  resource: z.string(),
  /** 'custos': Custos' own; 'app': registered by the host app. */
  source: z.enum(['custos', 'app']),
});

export const RoleOut = z.object({
  /** Built-in roles keep their historic field name `id` = key, so role pickers work unchanged. */
  id: z.string(),
  key: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  /** Permissions granted on every resource. */
  permissions: z.array(z.string()),
  /** Host-app permissions granted only on resources the member owns (resource.ownerId). */
  ownPermissions: z.array(z.string()),
  /** Which grants may still change: 'none' (owner), 'app' (other built-ins), 'all' (custom). */
  editable: z.enum(['none', 'app', 'all']),
  memberCount: z.number().int(),
  createdAt: Timestamp.nullable(),
  updatedAt: Timestamp.nullable(),
});

/** GET /api/v1/roles: every role and every permission (Custos' and the host app's), explained. */
export const RoleCatalog = z.object({
  roles: z.array(RoleOut),
  permissions: z.array(PermissionOut),
});

export const CreateRoleBody = z.object({
  key: RoleKey,
  name: RoleDisplayName,
  description: Description.default(''),
  permissions: z.array(PermissionKey).max(500).default([]),
  ownPermissions: z.array(PermissionKey).max(500).default([]),
});
export const UpdateRoleBody = z
  .object({
    name: RoleDisplayName.optional(),
    description: Description.optional(),
    permissions: z.array(PermissionKey).max(500).optional(),
    ownPermissions: z.array(PermissionKey).max(500).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change');
export const RoleKeyParams = z.object({ key: RoleKey });

// ---------------------------------------------------------------- host-app permissions

export const AppPermissionIn = z.object({ key: PermissionKey, description: Description.default('') });
/**
 * PUT /api/v1/app-permissions: the host app declares its permissions (idempotent, e.g. on deploy).
 * With `prune`, registered permissions not listed are removed, and with them every grant of them.
 */
export const RegisterAppPermissionsBody = z.object({
  permissions: z.array(AppPermissionIn).max(500),
  prune: z.boolean().default(false),
});
export const AppPermissionOut = z.object({
  key: z.string(),
  description: z.string(),
  registeredBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const AppPermissionList = z.object({ permissions: z.array(AppPermissionOut) });
export const RegisterAppPermissionsResult = z.object({
  permissions: z.array(AppPermissionOut),
  added: z.array(z.string()),
  updated: z.array(z.string()),
  removed: z.array(z.string()),
});
export const PermissionKeyParams = z.object({ key: PermissionKey });

// ---------------------------------------------------------------- the authorization API

export const AuthorizeSubject = z.union([
  z.object({ sessionToken: z.string().min(1).max(512) }).strict(),
  z.object({ userId: Id }).strict(),
]);
export const AuthorizeResource = z
  .object({
    type: z.string().trim().min(1).max(100).optional(),
    id: z.string().trim().min(1).max(200).optional(),
    /** The user who owns the resource: what "own" grants are checked against. */
    ownerId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export const AuthorizeContext = z
  .object({
    /** The end user's IP as the host app saw it: checked against IP and country rules. */
    ip: z.string().trim().min(2).max(64).optional(),
    /** When the access happens (defaults to now): checked against time rules. */
    at: z.string().datetime({ offset: true }).optional(),
  })
  .strict();
export const AuthorizeCheck = z.object({
  subject: AuthorizeSubject,
  permission: PermissionKey,
  resource: AuthorizeResource.optional(),
  context: AuthorizeContext.optional(),
});
export const AuthorizeBody = AuthorizeCheck;
export const AuthorizeBatchBody = z.object({ checks: z.array(AuthorizeCheck).min(1).max(100) });

export const AUTHORIZE_REASONS = [
  'granted',
  'granted_own',
  'not_granted',
  'not_owner',
  'owner_unknown',
  'unknown_permission',
  'not_member',
  'user_disabled',
  'session_invalid',
  'mfa_enrollment_required',
  'access_rule',
] as const;
export const AuthorizeReason = z.enum(AUTHORIZE_REASONS);

export const AccessRuleRef = z.object({
  id: z.string(),
  kind: z.enum(['ip', 'country', 'time']),
  effect: z.enum(['allow', 'deny']),
  description: z.string(),
});

export const AuthorizeResult = z.object({
  allowed: z.boolean(),
  reason: AuthorizeReason,
  message: z.string(),
  userId: z.string().nullable(),
  roles: z.array(z.string()),
  /** The role whose grant allowed it. */
  grantedBy: z.string().nullable(),
  scope: z.enum(['all', 'own']).nullable(),
  /** The access rule that denied it. */
  rule: AccessRuleRef.nullable(),
});
export const AuthorizeBatchResult = z.object({ results: z.array(AuthorizeResult) });

// ---------------------------------------------------------------- access rules

export const ACCESS_RULE_KINDS = ['ip', 'country', 'time'] as const;
export const ACCESS_RULE_TARGETS = ['everyone', 'members', 'role', 'api_keys'] as const;
export const AccessRuleKind = z.enum(ACCESS_RULE_KINDS);
export const AccessRuleEffect = z.enum(['allow', 'deny']);
/** everyone: members and API keys; members: every member; role: members holding `role`; api_keys. */
export const AccessRuleTarget = z.enum(ACCESS_RULE_TARGETS);

/** ISO weekday numbers: 1 = Monday … 7 = Sunday. */
export const TimeWindow = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  /** HH:MM, 24-hour, in the organization's time zone. */
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
  /** HH:MM; an end before the start runs past midnight; 24:00 is the end of the day. */
  end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM'),
});

const RuleCommon = {
  effect: AccessRuleEffect,
  target: AccessRuleTarget.default('everyone'),
  role: RoleKey.nullable().default(null),
  description: Description.default(''),
  enabled: z.boolean().default(true),
};
/** The server checks each CIDR (ipaddr.js) and each country code and answers 400 with the bad entry. */
export const CreateAccessRuleBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ip'),
    cidrs: z.array(z.string().trim().min(2).max(64)).min(1).max(500),
    ...RuleCommon,
  }),
  z.object({
    kind: z.literal('country'),
    countries: z.array(z.string().trim().length(2)).min(1).max(250),
    ...RuleCommon,
  }),
  z.object({ kind: z.literal('time'), windows: z.array(TimeWindow).min(1).max(20), ...RuleCommon }),
]);
export const UpdateAccessRuleBody = z
  .object({
    effect: AccessRuleEffect.optional(),
    target: AccessRuleTarget.optional(),
    role: RoleKey.nullable().optional(),
    description: Description.optional(),
    enabled: z.boolean().optional(),
    cidrs: z.array(z.string().trim().min(2).max(64)).min(1).max(500).optional(),
    countries: z.array(z.string().trim().length(2)).min(1).max(250).optional(),
    windows: z.array(TimeWindow).min(1).max(20).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change');
export const AccessRuleIdParams = z.object({ id: Id });

export const AccessRuleOut = z.object({
  id: z.string(),
  kind: AccessRuleKind,
  effect: AccessRuleEffect,
  target: AccessRuleTarget,
  role: z.string().nullable(),
  /** Normalized (e.g. 10.0.0.1 → 10.0.0.1/32); only the field of the rule's kind is set. */
  cidrs: z.array(z.string()).nullable(),
  countries: z.array(z.string()).nullable(),
  windows: z.array(TimeWindow).nullable(),
  description: z.string(),
  enabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export const AccessRuleList = z.object({
  timeZone: z.string(),
  rules: z.array(AccessRuleOut),
  /** What the rules make of the caller's own current request: the editor shows it. */
  yourRequest: z.object({ ip: z.string().nullable(), country: z.string().nullable() }),
});
/** PUT /api/v1/access-rules/time-zone */
export const AccessTimeZoneBody = z.object({ timeZone: z.string().trim().min(1).max(64) });

/** POST /api/v1/access-rules/test: would this IP at this time be let in, and by which rule not? */
export const TestAccessRulesBody = z.object({
  ip: z.string().trim().min(2).max(64),
  at: z.string().datetime({ offset: true }).optional(),
  /** Test as a member with these roles (default: every member), or as an API key. */
  roles: z.array(RoleKey).max(50).optional(),
  apiKey: z.boolean().default(false),
});
export const TestAccessRulesResult = z.object({
  allowed: z.boolean(),
  ip: z.string(),
  country: z.string().nullable(),
  /** The instant tested, and the weekday/time it is in the organization's zone. */
  at: Timestamp,
  localTime: z.string(),
  timeZone: z.string(),
  rule: AccessRuleRef.nullable(),
  message: z.string(),
});

export type PermissionOut = z.infer<typeof PermissionOut>;
export type RoleOut = z.infer<typeof RoleOut>;
export type RoleCatalog = z.infer<typeof RoleCatalog>;
export type CreateRoleBody = z.input<typeof CreateRoleBody>;
export type UpdateRoleBody = z.infer<typeof UpdateRoleBody>;
export type RegisterAppPermissionsBody = z.input<typeof RegisterAppPermissionsBody>;
export type AppPermissionOut = z.infer<typeof AppPermissionOut>;
export type RegisterAppPermissionsResult = z.infer<typeof RegisterAppPermissionsResult>;
export type AuthorizeSubject = z.infer<typeof AuthorizeSubject>;
export type AuthorizeResource = z.infer<typeof AuthorizeResource>;
export type AuthorizeCheck = z.infer<typeof AuthorizeCheck>;
export type AuthorizeBody = z.infer<typeof AuthorizeBody>;
export type AuthorizeReason = z.infer<typeof AuthorizeReason>;
export type AuthorizeResult = z.infer<typeof AuthorizeResult>;
export type AccessRuleRef = z.infer<typeof AccessRuleRef>;
export type AccessRuleKind = z.infer<typeof AccessRuleKind>;
export type AccessRuleTarget = z.infer<typeof AccessRuleTarget>;
export type TimeWindow = z.infer<typeof TimeWindow>;
export type CreateAccessRuleBody = z.input<typeof CreateAccessRuleBody>;
export type UpdateAccessRuleBody = z.infer<typeof UpdateAccessRuleBody>;
export type AccessRuleOut = z.infer<typeof AccessRuleOut>;
export type AccessRuleList = z.infer<typeof AccessRuleList>;
export type TestAccessRulesBody = z.input<typeof TestAccessRulesBody>;
export type TestAccessRulesResult = z.infer<typeof TestAccessRulesResult>;
