import { z } from 'zod';
import {
  Id,
  MeResult,
  MfaEnrollmentState,
  OrganizationOut,
  Password,
  RoleNameSchema,
  Timestamp,
  UserOut,
} from './api';

/** The shortest password anyone may set (NIST SP 800-63B asks for at least 8; we ask 12). An organization may ask more. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Contracts of sign-in hardening: MFA factors, the sign-in challenge, step-up, session policy and
 * session management, password reset and impersonation.
 */

export const FACTOR_TYPES = ['totp', 'passkey'] as const;
export const FactorType = z.enum(FACTOR_TYPES);
/** What a sign-in challenge or a step-up may be answered with. */
export const MFA_METHODS = ['totp', 'passkey', 'recovery_code'] as const;
export const MfaMethod = z.enum(MFA_METHODS);
export const TokenType = z.enum(['cookie', 'bearer']).default('cookie');

/** A six-digit TOTP code; spaces a user types between groups are dropped. */
export const TotpCode = z
  .string()
  .transform((s) => s.replace(/\s+/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'must be 6 digits'));
/** A recovery code as shown (xxxxx-xxxxx); case, spaces and dashes are forgiven. */
export const RecoveryCode = z
  .string()
  .max(64)
  .transform((s) => s.replace(/[\s-]+/g, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9]{10}$/, 'must be a 10-character recovery code'));
/** A WebAuthn response as produced by @simplewebauthn/browser (checked in depth by the server). */
export const WebAuthnResponse = z
  .object({
    id: z.string().min(1).max(1024),
    rawId: z.string().min(1).max(1024),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
    authenticatorAttachment: z.string().max(32).nullish(),
  })
  .passthrough();
export const FactorName = z.string().trim().min(1).max(64);

/** One MFA proof: exactly the field its method needs. */
export const MfaProof = z.discriminatedUnion('method', [
  z.object({ method: z.literal('totp'), code: TotpCode }),
  z.object({ method: z.literal('recovery_code'), code: RecoveryCode }),
  z.object({ method: z.literal('passkey'), response: WebAuthnResponse }),
]);

// ---- Sign-in ---------------------------------------------------------------------------------

export const SignedIn = z.object({
  user: UserOut,
  organization: OrganizationOut.nullable(),
  expiresAt: Timestamp,
  token: z.string().optional(),
  /**
   * Bearer answers, on a client's first sign-in of this account: a trusted-device token to keep and
   * send as the `x-custos-device` header on later sign-ins, so lockouts aimed at attackers spare
   * this client (browsers get it as an HttpOnly cookie instead).
   */
  deviceToken: z.string().optional(),
  mfaEnrollment: MfaEnrollmentState,
});

export const MfaChallenge = z.object({
  mfaRequired: z.literal(true),
  /** Answer it at /api/v1/auth/mfa/verify within five minutes. */
  challenge: z.string(),
  methods: z.array(MfaMethod),
  expiresAt: Timestamp,
});
export const SignInAnswer = z.union([SignedIn, MfaChallenge]);

export const MfaVerifyBody = z
  .object({ challenge: z.string().min(1).max(200), tokenType: TokenType })
  .and(MfaProof);
export const MfaChallengeBody = z.object({ challenge: z.string().min(1).max(200) });
/** Options for navigator.credentials.get / create, as @simplewebauthn/server produced them. */
export const WebAuthnOptions = z.object({ options: z.record(z.string(), z.unknown()) });
export const PasskeySignInOptions = WebAuthnOptions.extend({ ceremony: z.string() });
export const PasskeySignInBody = z.object({
  ceremony: z.string().min(1).max(200),
  response: WebAuthnResponse,
  organization: z.string().trim().min(1).max(100).optional(),
  tokenType: TokenType,
});

// ---- Step-up ---------------------------------------------------------------------------------

/** Users without a factor step up with their password; everyone else with a factor. */
export const StepUpBody = z.union([
  MfaProof,
  z.object({ method: z.literal('password'), password: Password }),
]);
export const StepUpResult = z.object({ stepUpUntil: Timestamp, token: z.string().optional() });
export const StepUpOptions = z.object({
  methods: z.array(z.enum(['totp', 'passkey', 'recovery_code', 'password'])),
  passkey: z.record(z.string(), z.unknown()).nullable(),
});

// ---- My security -------------------------------------------------------------------------------

export const FactorOut = z.object({
  id: Id,
  type: FactorType,
  name: z.string(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  /** Passkeys: synced between devices by the provider (backed up) or bound to one device. */
  backedUp: z.boolean().nullable(),
});
export const MySecurity = z.object({
  factors: z.array(FactorOut),
  recoveryCodes: z.object({ remaining: z.number().int(), generatedAt: Timestamp }).nullable(),
  mfaEnrollment: MfaEnrollmentState,
  stepUpUntil: Timestamp.nullable(),
  passwordChangedAt: Timestamp,
});
export const TotpEnrollment = z.object({
  factorId: Id,
  secret: z.string(),
  uri: z.string(),
  /** The otpauth URI as an SVG QR code. */
  qrSvg: z.string(),
});
export const StartTotpBody = z.object({ name: FactorName.default('Authenticator app') });
export const ConfirmTotpBody = z.object({ code: TotpCode, keepCurrentSession: z.boolean().default(true) });
export const FactorAdded = z.object({
  factor: FactorOut,
  /** Set when this was the first factor: shown once, never again. */
  recoveryCodes: z.array(z.string()).nullable(),
  token: z.string().optional(),
});
export const PasskeyRegistrationOptions = WebAuthnOptions.extend({ ceremony: z.string() });
export const AddPasskeyBody = z.object({
  ceremony: z.string().min(1).max(200),
  response: WebAuthnResponse,
  name: FactorName.default('Passkey'),
  keepCurrentSession: z.boolean().default(true),
});
export const RenameFactorBody = z.object({ name: FactorName });
export const RemoveFactorQuery = z.object({
  keepCurrentSession: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export const RecoveryCodes = z.object({ codes: z.array(z.string()) });
export const ChangePasswordBodyV2 = z.object({
  currentPassword: Password,
  newPassword: Password,
  keepCurrentSession: z.boolean().default(true),
});

// ---- Sessions --------------------------------------------------------------------------------

export const SessionOut = z.object({
  id: Id,
  userId: Id,
  userName: z.string(),
  userEmail: z.string(),
  organizationId: Id.nullable(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  expiresAt: Timestamp,
  ip: z.string().nullable(),
  country: z.string().nullable(),
  device: z.string().nullable(),
  newDevice: z.boolean(),
  newCountry: z.boolean(),
  current: z.boolean(),
  impersonatedBy: z.string().nullable(),
});
export const SessionList = z.object({ sessions: z.array(SessionOut) });
export const SessionListQuery = z.object({
  userId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const RevokeSessionsBody = z.object({
  /** One member's sessions; without it, every session in the organization except yours. */
  userId: Id.optional(),
});
export const RevokedCount = z.object({ revoked: z.number().int() });

// ---- Organization security policy -------------------------------------------------------------

export const MfaRequirement = z.enum(['off', 'all', 'roles']);
export const SessionLimitAction = z.enum(['deny_new', 'end_oldest']);
export const SecurityPolicy = z.object({
  mfaRequirement: MfaRequirement,
  mfaRoles: z.array(RoleNameSchema).max(20),
  mfaGraceDays: z.number().int().min(0).max(90),
  stepUpMinutes: z.number().int().min(1).max(720),
  idleTimeoutMinutes: z.number().int().min(5).max(43_200),
  absoluteLifetimeHours: z.number().int().min(1).max(8_760),
  maxConcurrentSessions: z.number().int().min(0).max(100),
  sessionLimitAction: SessionLimitAction,
  passwordMinLength: z.number().int().min(MIN_PASSWORD_LENGTH).max(128),
});
export const SecurityPolicyOut = SecurityPolicy.extend({ updatedAt: Timestamp.nullable() });
export const UpdateSecurityPolicyBody = SecurityPolicy.partial().refine(
  (p) => Object.keys(p).length > 0,
  'change at least one setting',
);

// ---- Password reset and impersonation -------------------------------------------------------------

export const PasswordResetRequestBody = z.object({ email: z.string().trim().min(3).max(254) });
/**
 * The same for every address, known or not. `emailConfigured` false: this server sends no e-mail
 * (`CUSTOS_SMTP_URL` unset), so a link for an existing account waits in the outbox for an
 * administrator to pass on, and the page must not say one was sent.
 */
export const PasswordResetRequested = z.object({ ok: z.literal(true), emailConfigured: z.boolean() });
export type PasswordResetRequested = z.infer<typeof PasswordResetRequested>;
export const PasswordResetCompleteBody = z.object({
  token: z.string().min(20).max(200),
  newPassword: Password,
});
export const StartImpersonationBody = z.object({
  userId: Id,
  organizationId: Id.optional(),
  reason: z.string().trim().min(10).max(500),
  minutes: z.number().int().min(1).max(120).default(30),
});
export const DisableUserBody = z.object({ reason: z.string().trim().min(3).max(500) });

export type MfaMethod = z.infer<typeof MfaMethod>;
export type MfaProof = z.infer<typeof MfaProof>;
export type SignedIn = z.infer<typeof SignedIn>;
export type MfaChallenge = z.infer<typeof MfaChallenge>;
export type SignInAnswer = z.infer<typeof SignInAnswer>;
export type MfaVerifyBody = z.input<typeof MfaVerifyBody>;
export type PasskeySignInBody = z.input<typeof PasskeySignInBody>;
export type StepUpBody = z.infer<typeof StepUpBody>;
export type StepUpResult = z.infer<typeof StepUpResult>;
export type StepUpOptions = z.infer<typeof StepUpOptions>;
export type FactorOut = z.infer<typeof FactorOut>;
export type MySecurity = z.infer<typeof MySecurity>;
export type TotpEnrollment = z.infer<typeof TotpEnrollment>;
export type FactorAdded = z.infer<typeof FactorAdded>;
export type SessionOut = z.infer<typeof SessionOut>;
export type SecurityPolicy = z.infer<typeof SecurityPolicy>;
export type SecurityPolicyOut = z.infer<typeof SecurityPolicyOut>;
export type UpdateSecurityPolicyBody = z.infer<typeof UpdateSecurityPolicyBody>;
export type StartImpersonationBody = z.input<typeof StartImpersonationBody>;

// ---- Super-admin user directory --------------------------------------------------------------

export const AdminUserOut = UserOut.extend({
  disabledAt: Timestamp.nullable(),
  mfaEnabled: z.boolean(),
  organizations: z.array(z.object({ id: Id, name: z.string() })),
});
export const AdminUserList = z.object({ users: z.array(AdminUserOut) });
export const AdminUserQuery = z.object({
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** Switching organization is a privilege change: the session gets a new token (bearer clients read it here). */
export const SwitchOrganizationResult = MeResult.extend({ token: z.string().optional() });

export type AdminUserOut = z.infer<typeof AdminUserOut>;
/** An answer to a re-authentication (password or factor change): bearer clients get their new token here. */
export const OkWithToken = z.object({ ok: z.literal(true), token: z.string().optional() });
