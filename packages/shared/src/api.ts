import { z } from 'zod';
import { ALL_PERMISSIONS } from './permissions';

/** Request and response contracts of the HTTP API, shared by server (validation, OpenAPI) and SDK. */

export const Id = z.string().uuid();
export const Email = z
  .string()
  .trim()
  .max(254)
  .email()
  .transform((e) => e.toLowerCase());
/** Length limits only: the server applies NIST SP 800-63B rules and answers with a specific code. */
export const Password = z.string().min(1).max(1024);
function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Text both databases store as given: well-formed Unicode, no NUL or other control characters. */
export const SafeText = z
  .string()
  .trim()
  .refine(
    (s) => s.isWellFormed() && !hasControlCharacter(s),
    'must not contain control characters or broken Unicode',
  );
export const PersonName = SafeText.pipe(z.string().min(1).max(200));
export const OrganizationName = SafeText.pipe(z.string().min(2).max(100));
/** A role key (built-in or custom); the server checks it names a role of the organization. */
export const RoleNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,39}$/, 'must be a role key: lowercase letters, digits or underscores');
export const PermissionSchema = z.enum(ALL_PERMISSIONS as [string, ...string[]]);
export const Roles = z.array(RoleNameSchema).min(1).max(50);
export const Timestamp = z.string();

export const UserOut = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  isSuperAdmin: z.boolean(),
  createdAt: Timestamp,
});
export const OrganizationOut = z.object({ id: Id, name: z.string(), slug: z.string(), createdAt: Timestamp });
export const MembershipOut = OrganizationOut.extend({ roles: z.array(z.string()) });

export const SignInBody = z.object({
  email: Email,
  password: Password,
  organization: z.string().trim().min(1).max(100).optional(),
  tokenType: z.enum(['cookie', 'bearer']).default('cookie'),
});
export const SignInResult = z.object({
  user: UserOut,
  organization: OrganizationOut.nullable(),
  expiresAt: Timestamp,
  token: z.string().optional(),
});

export const MfaEnrollmentState = z.object({
  /** The organization's policy asks this user for a second factor they do not have yet. */
  required: z.boolean(),
  /** Until then the user may postpone enrolment; after it, the session can only enrol. */
  deadline: Timestamp.nullable(),
  /** True once the deadline has passed: everything but enrolment answers MFA_ENROLLMENT_REQUIRED. */
  blocking: z.boolean(),
});
export const ImpersonationOut = z.object({
  impersonator: z.object({ id: Id, name: z.string(), email: z.string() }),
  reason: z.string(),
  expiresAt: Timestamp,
});

export const MeResult = z.object({
  user: UserOut,
  organization: OrganizationOut.nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  organizations: z.array(MembershipOut),
  /**
   * The current organization's IANA time zone (its access rules' time windows are read in it; anyone
   * may show the console's times in it). Null without a current organization.
   */
  organizationTimeZone: z.string().nullable(),
  session: z.object({
    id: Id,
    expiresAt: Timestamp,
    /** Sensitive actions need no new verification until then (null: verify first). */
    stepUpUntil: Timestamp.nullable(),
  }),
  mfaEnrollment: MfaEnrollmentState,
  impersonation: ImpersonationOut.nullable(),
});

export const UpdateProfileBody = z.object({ name: PersonName });
export const ChangePasswordBody = z.object({ currentPassword: Password, newPassword: Password });
export const SwitchOrganizationBody = z.object({ organizationId: Id });

export const SetupStatus = z.object({ required: z.boolean() });
export const SetupBody = z.object({
  token: z.string().min(1).max(200),
  email: Email,
  name: PersonName,
  password: Password,
  organizationName: OrganizationName,
});

export const MemberOut = z.object({
  userId: Id,
  email: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  joinedAt: Timestamp,
});
export const UpdateMemberBody = z.object({ roles: Roles });
export const UserIdParams = z.object({ userId: Id });
export const IdParams = z.object({ id: Id });

export const InviteBody = z.object({ email: Email, roles: Roles });
export const InvitationOut = z.object({
  id: Id,
  email: z.string(),
  roles: z.array(z.string()),
  invitedBy: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  emailed: z.boolean(),
});
export const InviteResult = z.object({
  invitation: InvitationOut,
  /** Present only when no SMTP server is configured: the admin passes the link on by hand. */
  inviteUrl: z.string().optional(),
});
export const InvitationList = z.object({ invitations: z.array(InvitationOut) });
export const InvitationTokenQuery = z.object({ token: z.string().min(1).max(200) });
export const InvitationPreview = z.object({
  organizationName: z.string(),
  email: z.string(),
  existingUser: z.boolean(),
  /** Accepting sets name and password: a new account, or an unconfirmed one reclaimed through an e-mailed link. */
  choosePassword: z.boolean(),
  expiresAt: Timestamp,
});
export const AcceptInvitationBody = z.object({
  token: z.string().min(1).max(200),
  name: PersonName.optional(),
  password: Password,
  tokenType: z.enum(['cookie', 'bearer']).default('cookie'),
});

export const ApiKeyOut = z.object({
  id: Id,
  name: z.string(),
  prefix: z.string(),
  permissions: z.array(z.string()),
  createdBy: z.object({ id: Id, name: z.string() }).nullable(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  expiresAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export const ApiKeyList = z.object({ apiKeys: z.array(ApiKeyOut) });
export const CreateApiKeyBody = z.object({
  name: SafeText.pipe(z.string().min(1).max(100)),
  permissions: z.array(PermissionSchema).min(1).max(ALL_PERMISSIONS.length),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
export const CreateApiKeyResult = z.object({ apiKey: ApiKeyOut, secret: z.string() });

export const UpdateOrganizationBody = z.object({ name: OrganizationName });
export const CreateOrganizationBody = z.object({ name: OrganizationName, ownerEmail: Email.optional() });
export const CreateOrganizationResult = z.object({
  organization: OrganizationOut,
  inviteUrl: z.string().optional(),
});
export const OrganizationSummary = OrganizationOut.extend({ memberCount: z.number().int() });
export const OrganizationList = z.object({ organizations: z.array(OrganizationSummary) });

export const OutboxMessage = z.object({
  id: Id,
  organizationId: Id.nullable(),
  to: z.string(),
  subject: z.string(),
  text: z.string().nullable(),
  status: z.enum(['sent', 'undelivered', 'failed']),
  error: z.string().nullable(),
  createdAt: Timestamp,
});
export const OutboxList = z.object({ messages: z.array(OutboxMessage) });

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['ok', 'down']),
  /** 'alarm' when an audit log's history no longer extends what the signer signed (details: server log, security events). */
  auditIntegrity: z.enum(['ok', 'alarm']),
  /** What an operator should look at; never names an organization (this route needs no sign-in). */
  warnings: z.array(z.string()),
});
export const Ok = z.object({ ok: z.literal(true) });

export type UserOut = z.infer<typeof UserOut>;
export type OrganizationOut = z.infer<typeof OrganizationOut>;
export type SignInBody = z.input<typeof SignInBody>;
export type SignInResult = z.infer<typeof SignInResult>;
export type MeResult = z.infer<typeof MeResult>;
export type MfaEnrollmentState = z.infer<typeof MfaEnrollmentState>;
export type ImpersonationOut = z.infer<typeof ImpersonationOut>;
export type SetupBody = z.infer<typeof SetupBody>;
export type MemberOut = z.infer<typeof MemberOut>;
export type InvitationOut = z.infer<typeof InvitationOut>;
export type InviteResult = z.infer<typeof InviteResult>;
export type InvitationPreview = z.infer<typeof InvitationPreview>;
export type AcceptInvitationBody = z.input<typeof AcceptInvitationBody>;
export type ApiKeyOut = z.infer<typeof ApiKeyOut>;
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;
export type CreateApiKeyResult = z.infer<typeof CreateApiKeyResult>;
export type OrganizationSummary = z.infer<typeof OrganizationSummary>;
export type CreateOrganizationResult = z.infer<typeof CreateOrganizationResult>;
export type OutboxMessage = z.infer<typeof OutboxMessage>;
export type Health = z.infer<typeof Health>;
