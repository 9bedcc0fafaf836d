import type {
  AcceptInvitationBody,
  ApiKeyOut,
  CreateApiKeyBody,
  CreateApiKeyResult,
  CreateOrganizationResult,
  ErrorBody,
  ErrorCode,
  Health,
  InvitationOut,
  InvitationPreview,
  InviteResult,
  MemberOut,
  MemberWithSecurity,
  OrganizationOut,
  OrganizationSummary,
  OutboxMessage,
  ResendInvitationBody,
  ResetMfaResult,
  SetupBody,
  SignInResult,
  SystemCapabilities,
  UnlockResult,
} from '@custos/shared';
import { createAccessRulesApi, createAppPermissionsApi, createAuthorizeApi, createRolesApi } from './access';
import { createAuditApi } from './audit';
import { adminPrivacy, createPrivacyApi } from './privacy';
import {
  createAdminUsersApi,
  createAuthApi,
  createImpersonationApi,
  createMeApi,
  createSecurityApi,
  createSessionsApi,
} from './security';
import { createAlertsApi, createThreatsApi } from './threats';

export interface CustosClientOptions {
  /** Base URL of the Custos server, e.g. `https://custos.example.com`. Empty for same-origin (the console). */
  baseUrl?: string;
  /** A bearer token: a session token from sign-in or an API key. */
  token?: string;
  /** Cookie flow (the console): returns the CSRF token to send with each mutating request. */
  csrfToken?: () => string | undefined;
  fetch?: typeof fetch;
}

/** An error answered by the API, in its standard shape. */
export class CustosApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CustosApiError';
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Typed client for the Custos HTTP API, used by the console, the CLI and host apps. */
export class CustosClient {
  private token: string | undefined;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: CustosClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  setToken(token: string | undefined): void {
    this.token = token;
  }

  async request<T>(method: Method, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, body, { accept: 'application/json', ...options });
    const text = await response.text();
    return (text ? safeParse(text) : undefined) as T;
  }

  /**
   * Sends a request and answers the raw `Response`, for bodies read as a stream (exports, the live
   * tail). A refusal still throws `CustosApiError`.
   */
  async send(
    method: Method,
    path: string,
    body?: unknown,
    options: RequestOptions & { accept?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: options.accept ?? '*/*', ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const csrf = method !== 'GET' ? this.options.csrfToken?.() : undefined;
    if (csrf) headers['x-csrf-token'] = csrf;
    const response = await this.fetchImpl(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    });
    if (!response.ok) {
      const text = await response.text();
      throw toApiError(response.status, text ? safeParse(text) : undefined);
    }
    return response;
  }

  /** The absolute URL of an API path (relative to the page when `baseUrl` is empty). */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  health = () => this.request<Health>('GET', '/api/health');

  /** What this server can do (e.g. whether it can send e-mail); any signed-in caller or API key. */
  capabilities = () => this.request<SystemCapabilities>('GET', '/api/v1/system/capabilities');

  setup = {
    status: () => this.request<{ required: boolean }>('GET', '/api/v1/setup'),
    complete: (body: SetupBody & { tokenType?: 'cookie' | 'bearer' }) =>
      this.request<SignInResult>('POST', '/api/v1/setup', body),
  };

  /** Sign-in (password, MFA, passkey), sign-out, password reset, step-up, switching organization. */
  auth = createAuthApi(this);

  /** The caller's account: profile, password, factors, recovery codes, own sessions. */
  me = createMeApi(this);

  /** Roles (built-in and custom) and their grants: the role × permission matrix. */
  roles = createRolesApi(this);

  /** The host app's own permissions, registered beside Custos' in the same matrix. */
  appPermissions = createAppPermissionsApi(this);

  /** Ask whether a user may do something: `authorize(check)`, `.batch(checks)`, `.can(check)`. */
  authorize = createAuthorizeApi(this);

  /** Access rules: IP and country allow/deny lists and time windows, and their tester. */
  accessRules = createAccessRulesApi(this);

  organization = {
    update: (body: { name: string }) => this.request<OrganizationOut>('PATCH', '/api/v1/organization', body),
  };

  members = {
    list: () => this.request<{ members: MemberWithSecurity[] }>('GET', '/api/v1/members'),
    updateRoles: (userId: string, roles: string[]) =>
      this.request<MemberOut>('PATCH', `/api/v1/members/${encodeURIComponent(userId)}`, { roles }),
    remove: (userId: string) =>
      this.request<{ ok: true }>('DELETE', `/api/v1/members/${encodeURIComponent(userId)}`),
    /** Removes the member's factors and recovery codes and ends their sessions (needs a recent verification). */
    resetMfa: (userId: string) =>
      this.request<ResetMfaResult>('POST', `/api/v1/members/${encodeURIComponent(userId)}/mfa/reset`),
    /** Lifts the member's sign-in lockout after too many failed attempts. */
    unlock: (userId: string) =>
      this.request<UnlockResult>('POST', `/api/v1/members/${encodeURIComponent(userId)}/unlock`),
  };

  invitations = {
    list: () => this.request<{ invitations: InvitationOut[] }>('GET', '/api/v1/invitations'),
    create: (body: { email: string; roles: string[] }) =>
      this.request<InviteResult>('POST', '/api/v1/invitations', body),
    revoke: (id: string) =>
      this.request<{ ok: true }>('DELETE', `/api/v1/invitations/${encodeURIComponent(id)}`),
    /** A new link (the old one stops working): e-mailed, or with `copyLink` answered to pass on by hand. */
    resend: (id: string, body: ResendInvitationBody = {}) =>
      this.request<InviteResult>('POST', `/api/v1/invitations/${encodeURIComponent(id)}/resend`, body),
    preview: (token: string) =>
      this.request<InvitationPreview>('POST', '/api/v1/invitations/preview', { token }),
    accept: async (body: AcceptInvitationBody) => {
      const result = await this.request<SignInResult>('POST', '/api/v1/invitations/accept', body);
      if (result.token) this.token = result.token;
      return result;
    },
  };

  apiKeys = {
    list: () => this.request<{ apiKeys: ApiKeyOut[] }>('GET', '/api/v1/api-keys'),
    create: (body: CreateApiKeyBody) => this.request<CreateApiKeyResult>('POST', '/api/v1/api-keys', body),
    revoke: (id: string) => this.request<ApiKeyOut>('DELETE', `/api/v1/api-keys/${encodeURIComponent(id)}`),
  };

  admin = {
    ...createAdminUsersApi(this),
    ...adminPrivacy(this),
    organizations: () =>
      this.request<{ organizations: OrganizationSummary[] }>('GET', '/api/v1/admin/organizations'),
    createOrganization: (body: { name: string; ownerEmail?: string }) =>
      this.request<CreateOrganizationResult>('POST', '/api/v1/admin/organizations', body),
    outbox: () => this.request<{ messages: OutboxMessage[] }>('GET', '/api/v1/admin/outbox'),
  };

  /** The audit trail: ingestion, search, proofs, export, live tail, saved searches, settings, erasure. */
  audit = createAuditApi(this);

  /** The organization's live sessions. */
  sessions = createSessionsApi(this);

  /** The organization's security policy. */
  security = createSecurityApi(this);

  impersonation = createImpersonationApi(this);

  /** Threat detection: security events, responses, detector settings, the security overview. */
  threats = createThreatsApi(this);

  /** Alert channels (webhooks, e-mail) and their delivery log. */
  alerts = createAlertsApi(this);

  /** Privacy: the data map, data subject requests and their clocks, privacy settings. */
  privacy = createPrivacyApi(this);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(status: number, data: unknown): CustosApiError {
  const body = data as Partial<ErrorBody> | undefined;
  const error = body && typeof body === 'object' ? body.error : undefined;
  if (error && typeof error.code === 'string') {
    // The server answers only codes of `ERROR_CODES` (its errors take an `ErrorCode`); the client
    // passes the code on unchecked, as it always has, rather than hide one it does not know yet.
    const code = error.code as ErrorCode;
    return new CustosApiError(status, code, error.message ?? error.code, error.details);
  }
  return new CustosApiError(
    status,
    status >= 500 ? 'INTERNAL' : 'BAD_REQUEST',
    `Request failed with ${status}`,
  );
}
