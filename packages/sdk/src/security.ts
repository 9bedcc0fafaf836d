import type {
  AdminUserOut,
  FactorAdded,
  FactorOut,
  MeResult,
  MfaChallenge,
  MfaVerifyBody,
  MySecurity,
  PasskeySignInBody,
  SecurityPolicyOut,
  SignedIn,
  SignInAnswer,
  SignInBody,
  StartImpersonationBody,
  StepUpBody,
  StepUpOptions,
  StepUpResult,
  TotpEnrollment,
  UpdateSecurityPolicyBody,
} from '@custos/shared';
import { queryString } from './audit';
import type { CustosClient } from './client';
import type {
  AddPasskeyBody,
  AdminUserList,
  AdminUserQuery,
  ChangePasswordBody,
  ConfirmTotpBody,
  OkWithToken,
  PasskeyRegistrationOptions,
  PasskeySignInOptions,
  PasswordResetCompleteBody,
  PasswordResetRequested,
  RecoveryCodes,
  RevokedCount,
  RevokeSessionsBody,
  SessionList,
  SessionListQuery,
  SwitchOrganizationResult,
  WebAuthnOptions,
} from './types';

/**
 * Sign-in hardening in `CustosClient`: the MFA sign-in challenge, passkeys, password reset, step-up,
 * the caller's own factors and sessions, the organization's sessions and security policy, the
 * super-admin user directory and impersonation. Routes: docs/sign-in-hardening.md.
 *
 * The server issues a new session token whenever the caller re-authenticates (MFA, step-up, a
 * password or factor change, switching organization, impersonation); with a bearer token the
 * answer carries it, and these methods keep the client on it.
 */

type Ok = { ok: true };

/** Whether a sign-in answer asks for a second factor instead of signing in. */
export function isMfaChallenge(answer: SignInAnswer): answer is MfaChallenge {
  return 'mfaRequired' in answer && answer.mfaRequired === true;
}

const byId = (path: string, id: string) => `${path}/${encodeURIComponent(id)}`;

/** Answers `result` after moving the client to the session token it carries, if any. */
function keepingToken(client: CustosClient) {
  return async <T extends { token?: string }>(pending: Promise<T>): Promise<T> => {
    const result = await pending;
    if (result.token) client.setToken(result.token);
    return result;
  };
}

/** `client.auth`: sign-in (password, MFA, passkey), sign-out, password reset, step-up, switching organization. */
export function createAuthApi(client: CustosClient) {
  const keep = keepingToken(client);
  return {
    /** Signs in, or answers an `MfaChallenge` (see `isMfaChallenge`) to finish with `verifyMfa`. */
    signIn: async (body: SignInBody) => {
      const answer = await client.request<SignInAnswer>('POST', '/api/v1/auth/sign-in', body);
      if (!isMfaChallenge(answer) && answer.token) client.setToken(answer.token);
      return answer;
    },
    /** Answers a sign-in challenge with a TOTP code, a recovery code or a passkey assertion. */
    verifyMfa: (body: MfaVerifyBody) =>
      keep(client.request<SignedIn>('POST', '/api/v1/auth/mfa/verify', body)),
    /** WebAuthn request options for answering a sign-in challenge with one of the user's passkeys. */
    mfaPasskeyOptions: (challenge: string) =>
      client.request<WebAuthnOptions>('POST', '/api/v1/auth/mfa/passkey-options', { challenge }),
    /** WebAuthn request options for passwordless sign-in with a discoverable passkey. */
    passkeyOptions: () => client.request<PasskeySignInOptions>('POST', '/api/v1/auth/passkey/options'),
    passkeySignIn: (body: PasskeySignInBody) =>
      keep(client.request<SignedIn>('POST', '/api/v1/auth/passkey/sign-in', body)),
    signOut: () => client.request<Ok>('POST', '/api/v1/auth/sign-out'),

    /**
     * Mails a reset link if the address has an account; the answer is the same either way, and says
     * whether this server can send e-mail at all.
     */
    requestPasswordReset: (email: string) =>
      client.request<PasswordResetRequested>('POST', '/api/v1/auth/password-reset/request', { email }),
    /** Sets a new password with the link's token and ends every session; does not sign in. */
    completePasswordReset: (body: PasswordResetCompleteBody) =>
      client.request<Ok>('POST', '/api/v1/auth/password-reset/complete', body),

    /** The methods this user can step up with, and passkey request options when they have passkeys. */
    stepUpOptions: () => client.request<StepUpOptions>('GET', '/api/v1/auth/step-up/options'),
    /** Re-verifies the user so sensitive actions pass until `stepUpUntil`. */
    stepUp: (body: StepUpBody) => keep(client.request<StepUpResult>('POST', '/api/v1/auth/step-up', body)),
    switchOrganization: (organizationId: string) =>
      keep(
        client.request<SwitchOrganizationResult>('POST', '/api/v1/auth/switch-organization', {
          organizationId,
        }),
      ),
  };
}

/** `client.me`: the caller's account, security overview, factors, recovery codes and sessions. */
export function createMeApi(client: CustosClient) {
  const keep = keepingToken(client);
  return {
    get: () => client.request<MeResult>('GET', '/api/v1/me'),
    update: (body: { name: string }) => client.request<MeResult>('PATCH', '/api/v1/me', body),
    /** Ends the user's other sessions, and this one too unless `keepCurrentSession` (the default). */
    changePassword: (body: ChangePasswordBody) =>
      keep(client.request<OkWithToken>('POST', '/api/v1/me/password', body)),
    /** Factors, recovery codes left, the MFA enrolment state and the step-up window. */
    security: () => client.request<MySecurity>('GET', '/api/v1/me/security'),

    factors: {
      /** Starts a TOTP factor (step-up); it counts once `confirmTotp` proves the app has the secret. */
      startTotp: (name?: string) =>
        client.request<TotpEnrollment>('POST', '/api/v1/me/factors/totp', name === undefined ? {} : { name }),
      confirmTotp: (factorId: string, body: ConfirmTotpBody) =>
        keep(
          client.request<FactorAdded>('POST', `${byId('/api/v1/me/factors/totp', factorId)}/confirm`, body),
        ),
      /** WebAuthn creation options for a new passkey (step-up). */
      passkeyOptions: () =>
        client.request<PasskeyRegistrationOptions>('POST', '/api/v1/me/factors/passkeys/options'),
      addPasskey: (body: AddPasskeyBody) =>
        keep(client.request<FactorAdded>('POST', '/api/v1/me/factors/passkeys', body)),
      rename: (factorId: string, name: string) =>
        client.request<FactorOut>('PATCH', byId('/api/v1/me/factors', factorId), { name }),
      /** Removes a factor (step-up); other sessions end, this one stays unless told otherwise. */
      remove: (factorId: string, options: { keepCurrentSession?: boolean } = {}) =>
        keep(
          client.request<OkWithToken>(
            'DELETE',
            `${byId('/api/v1/me/factors', factorId)}${queryString(options)}`,
          ),
        ),
    },

    /** Ten new recovery codes, shown once; the previous set stops working (step-up). */
    generateRecoveryCodes: () => client.request<RecoveryCodes>('POST', '/api/v1/me/recovery-codes'),

    sessions: {
      /** The user's own live sessions; `current` marks the one making the call. */
      list: () => client.request<SessionList>('GET', '/api/v1/me/sessions'),
      revoke: (sessionId: string) => client.request<Ok>('DELETE', byId('/api/v1/me/sessions', sessionId)),
      /** "Sign out everywhere else". */
      revokeOthers: () => client.request<RevokedCount>('POST', '/api/v1/me/sessions/revoke-others'),
    },
  };
}

/** `client.sessions`: the organization's live sessions (sessions:read, sessions:revoke). */
export function createSessionsApi(client: CustosClient) {
  return {
    list: (query: SessionListQuery = {}) =>
      client.request<SessionList>('GET', `/api/v1/sessions${queryString(query)}`),
    revoke: (sessionId: string) => client.request<Ok>('DELETE', byId('/api/v1/sessions', sessionId)),
    /** Ends one member's sessions, or without `userId` everyone's in the organization but the caller's. */
    revokeMany: (body: RevokeSessionsBody = {}) =>
      client.request<RevokedCount>('POST', '/api/v1/sessions/revoke', body),
  };
}

/** `client.security`: the organization's security policy (security:read, security:manage). */
export function createSecurityApi(client: CustosClient) {
  return {
    policy: () => client.request<SecurityPolicyOut>('GET', '/api/v1/security/policy'),
    /** Changes the given settings only (step-up). */
    updatePolicy: (body: UpdateSecurityPolicyBody) =>
      client.request<SecurityPolicyOut>('PATCH', '/api/v1/security/policy', body),
  };
}

/** The super-admin user directory, part of `client.admin`. */
export function createAdminUsersApi(client: CustosClient) {
  return {
    users: (query: AdminUserQuery = {}) =>
      client.request<AdminUserList>('GET', `/api/v1/admin/users${queryString(query)}`),
    /** Disables an account and ends its sessions (step-up). */
    disableUser: (userId: string, reason: string) =>
      client.request<AdminUserOut>('POST', `${byId('/api/v1/admin/users', userId)}/disable`, { reason }),
    enableUser: (userId: string) =>
      client.request<AdminUserOut>('POST', `${byId('/api/v1/admin/users', userId)}/enable`),
  };
}

/** `client.impersonation`: a super admin acting as a user, for a while and with a reason. */
export function createImpersonationApi(client: CustosClient) {
  const keep = keepingToken(client);
  return {
    /** Moves this client into an impersonation session (step-up). */
    start: (body: StartImpersonationBody) =>
      keep(client.request<SignedIn>('POST', '/api/v1/impersonation', body)),
    /** Ends the impersonation and moves back into the super admin's own session. */
    stop: () => keep(client.request<SignedIn>('POST', '/api/v1/impersonation/stop')),
  };
}
