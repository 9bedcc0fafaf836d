import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Deps } from './deps';
import {
  accessRoutes,
  accessRuleRoutes,
  createAccessPolicies,
  createAccessRulesService,
  createAppPermissionsService,
  createAuthorizeService,
  createRolesService,
  createRuleEnforcer,
} from './modules/access';
import { createAlerts, type SignedCheckpoint } from './modules/alerts';
import { apiKeyRoutes, createApiKeysService, isApiKeyToken } from './modules/apikeys';
import {
  type AuditModule,
  createAuditModule,
  PLATFORM_LOG,
  registerDenialAudit,
  tailRoutes,
} from './modules/audit';
import {
  authRoutes,
  createAccountService,
  createAuthService,
  createPasswordResetService,
  createStepUpService,
  createThrottleSummaries,
} from './modules/auth';
import { createImpersonationService, impersonationRoutes } from './modules/impersonation';
import { createInvitationsService, invitationRoutes } from './modules/invitations';
import { createMembersService, memberRoutes } from './modules/members';
import {
  createMfaSecrets,
  createMfaService,
  createMfaVerifier,
  createWebAuthn,
  mfaRoutes,
  registerEnrollmentGate,
  relyingPartyFor,
  stepUpDetails,
} from './modules/mfa';
import { createOrganizationsService, organizationRoutes } from './modules/organizations';
import { createOutboxService } from './modules/outbox';
import { createOverviewService, overviewRoutes } from './modules/overview';
import { createPrivacyModule } from './modules/privacy';
import type { DigestSigner } from './modules/privacy/packages';
import { createSecurityPolicyService, securityPolicyRoutes } from './modules/security';
import { createSessionsService, sessionRoutes } from './modules/sessions';
import { createSetupService, setupRoutes } from './modules/setup';
import { systemRoutes } from './modules/system';
import {
  createAccountsPerIp,
  createDelayStore,
  createResponseEffects,
  createSignInGuard,
  createThreatsModule,
  findSignInBlocks,
  installationStuffingLimit,
  listActiveIpBlocks,
  refusedSignInEvent,
  registerStepUpDemandGate,
} from './modules/threats';
import { createDetectionState, createDetectorEngine } from './modules/threats/detect';
import { createUsersService, userRoutes } from './modules/users';
import { nowIso } from './platform/clock';
import { safeEqual } from './platform/crypto/tokens';
import { reportAfterCommitErrors } from './platform/db/after-commit';
import { type Database, openDatabase } from './platform/db/database';
import { runAsJob } from './platform/db/statement-timeout';
import { type GeoIp, openGeoIp } from './platform/geo/geoip';
import { registerAuthHook } from './platform/http/auth-hook';
import { registerErrorHandler, sendRouteNotFound } from './platform/http/error-handler';
import { registerRequestStatementTimeout } from './platform/http/request-timeout';
import { registerSecurityHeaders } from './platform/http/security-headers';
import { CSRF_HEADER, csrfTokenFor, SESSION_COOKIE } from './platform/http/session-cookies';
import { createJobRunner, createRedisLease, type JobRunner } from './platform/jobs';
import { createLogger } from './platform/log';
import { createMailer, type Mailer } from './platform/mail/mailer';
import { createRateLimiter, type RateLimiter } from './platform/ratelimit/limiter';

export interface BuildAppOptions {
  config: Config;
  /** An open database; by default the configured one is opened (and closed with the app). */
  database?: Database;
  logger?: Logger;
  mailer?: Mailer;
  limiter?: RateLimiter;
  /** Country lookups; by default the configured (or bundled) GeoIP database. */
  geo?: GeoIp;
  /** Where the built console lives; defaults to packages/web/dist. */
  webRoot?: string | null;
}

export type Services = ReturnType<typeof createServices> & {
  audit: AuditModule;
  /** The server's background jobs; `jobs.states()` is their health (name, last run, last error, running). */
  jobs: JobRunner;
};

export interface ServiceOptions {
  /**
   * Share detection state and sign-in delays through Redis when configured (the server). One-shot
   * CLI commands keep them in memory so they open no connections.
   */
  shared?: boolean;
  /** Where the modules' background jobs run (the server's runner); each module makes its own otherwise. */
  jobs?: JobRunner;
  /** The audit checkpoint signer, which also signs privacy packages and certificates. */
  signer?: DigestSigner;
}

/** Every module's service, wired to each other; also used by the CLI. */
export function createServices(deps: Deps, options: ServiceOptions = {}) {
  const sharedStateUrl = options.shared ? deps.config.redisUrl : null;
  // One per process: compiled roles and rules, keyed by each organization's access version.
  const accessPolicies = createAccessPolicies({
    // Only blocks an admin (or a rule) made "everywhere" refuse every request; the rest act at sign-in.
    ipBlocks: (db, organizationId) => listActiveIpBlocks(db, organizationId, nowIso(), 'all'),
  });
  const signInDelays = createDelayStore(sharedStateUrl);
  const signInAccountsPerIp = createAccountsPerIp(sharedStateUrl);
  const signInGuard = createSignInGuard({
    db: deps.db,
    delays: signInDelays,
    accountsPerIp: signInAccountsPerIp,
    stuffingLimit: installationStuffingLimit(),
    findSignInBlocks,
  });
  const throttledSignIns = createThrottleSummaries({
    audit: deps.audit,
    log: deps.log,
    // Detection counts each refusal now; the summary is written when its window closes.
    onRefused: (attempt, at) => runAsJob(() => threats.pipeline.handle([refusedSignInEvent(attempt, at)])),
  });
  const policies = createSecurityPolicyService({ ...deps, accessPolicies });
  const sessions = createSessionsService({ ...deps, policies, accessPolicies });
  const secrets = createMfaSecrets(deps.keyring);
  const webauthn = createWebAuthn(relyingPartyFor(deps.config.publicUrl));
  const verifier = createMfaVerifier(deps, secrets, webauthn);
  // Invitations need auth and the MFA step needs invitations: a call-time reference breaks the loop.
  const ruleEnforcer = createRuleEnforcer({ ...deps, accessPolicies });
  const auth = createAuthService({
    ...deps,
    sessions,
    ruleEnforcer,
    signInGuard,
    throttled: throttledSignIns,
    verifier,
    webauthn,
    joinAfterMfa: (trx, invitationId, user, meta) => invitations.joinAfterMfa(trx, invitationId, user, meta),
    invitationTarget: (invitationId) => invitations.targetOf(invitationId),
  });
  const outbox = createOutboxService(deps);
  const alerts = createAlerts(deps, options.jobs);
  const detectionState = createDetectionState(sharedStateUrl);
  const threats = createThreatsModule({
    ...deps,
    effects: createResponseEffects({ ...deps, outbox }),
    alerts: alerts.sink,
    // Settings by call-time reference: the engine judges a platform-log signal for the organization it completes an attack on.
    engine: createDetectorEngine(detectionState, {
      settingsFor: (organizationId) => threats.settings.settingsFor(organizationId),
    }),
    accessPolicies,
  });
  const invitations = createInvitationsService({
    ...deps,
    auth,
    outbox,
    sessions,
    accessPolicies,
    ruleEnforcer,
  });
  return {
    auth,
    sessions,
    policies,
    mfaVerifier: verifier,
    mfa: createMfaService({ ...deps, secrets, webauthn, verifier, sessions, policies }),
    account: createAccountService({ ...deps, sessions, policies }),
    passwordReset: createPasswordResetService({ ...deps, outbox, sessions, policies }),
    stepUp: createStepUpService({ ...deps, sessions, verifier }),
    apiKeys: createApiKeysService({ ...deps, accessPolicies }),
    members: createMembersService({ ...deps, sessions, accessPolicies, signInDelays }),
    accessPolicies,
    ruleEnforcer,
    accessRules: createAccessRulesService({ ...deps, accessPolicies }),
    roles: createRolesService({ ...deps, accessPolicies }),
    appPermissions: createAppPermissionsService(deps),
    authorize: createAuthorizeService({
      ...deps,
      accessPolicies,
      authenticateSession: (token, meta) => sessions.authenticate(token, meta, { touch: false }),
    }),
    users: createUsersService({ ...deps, sessions }),
    impersonation: createImpersonationService({ ...deps, sessions }),
    outbox,
    invitations,
    organizations: createOrganizationsService({ ...deps, invitations }),
    setup: createSetupService({ ...deps, auth }),
    signInGuard,
    signInDelays,
    signInAccountsPerIp,
    throttledSignIns,
    alerts,
    threats,
    detectionState,
    overview: createOverviewService({ ...deps, accessPolicies }),
    privacy: createPrivacyModule({
      ...deps,
      outbox,
      // Overdue requests reach the alert channels as compliance-violation security events.
      raiseViolation: (violation) => threats.raiseComplianceViolation(violation),
      ...(options.jobs ? { jobs: options.jobs } : {}),
      signer: options.signer ?? null,
    }),
  };
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

const DEFAULT_WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the Fastify instance with every module registered; does not listen. */
export async function buildApp(
  options: BuildAppOptions,
): Promise<{ app: FastifyInstance; services: Services; deps: Deps; routes: RegisteredRoute[] }> {
  const { config } = options;
  const log = options.logger ?? createLogger(config.logLevel);
  reportAfterCommitErrors((error) => log.error({ err: error }, 'after-commit callback failed'));
  const database = options.database ?? openDatabase(config.database);
  // Servers sharing a Redis share job leases; a server without one runs alone.
  const lease = config.redisUrl ? createRedisLease(config.redisUrl) : null;
  const jobs = createJobRunner({ log, lease });
  const audit = createAuditModule({ db: database.db, dialect: database.dialect, config, log, jobs });
  const deps: Deps = {
    db: database.db,
    dialect: database.dialect,
    config,
    log,
    mailer: options.mailer ?? createMailer(config.smtp),
    limiter: options.limiter ?? createRateLimiter(config.redisUrl),
    keyring: audit.keyring,
    audit: audit.recorder,
    geo: options.geo ?? (await openGeoIp(config.geoipFile)),
  };
  const services = { ...createServices(deps, { shared: true, jobs, signer: audit.signer }), audit, jobs };
  // Detection hears of every audit event the moment its transaction commits.
  // Detection is background work: its queries run under the job timeout, not the request's that committed.
  const stopDetection = audit.committed.subscribe((events) =>
    runAsJob(() => services.threats.pipeline.handle(events)),
  );
  // A tampered audit log is a critical security event of its organization (the platform log has none).
  const stopTamperAlarms = audit.alarms.listen(async (alarm) => {
    if (alarm.logId === PLATFORM_LOG) return;
    await services.threats.raiseAuditTampering({ ...alarm, organizationId: alarm.logId });
  });
  // Each signed checkpoint goes to the alert channels that keep a copy outside Custos.
  const onCheckpointSigned = (logId: string, checkpoint: SignedCheckpoint) => {
    if (logId !== PLATFORM_LOG)
      services.alerts.checkpointSigned(logId, checkpoint, [audit.signer.verifierKey]);
  };
  audit.signed.on('signed', onCheckpointSigned);

  const hops = config.trustProxy;
  // Fastify's types omit the hop-count form, so hops become the equivalent trust function.
  const trustProxy = typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops;
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    },
    bodyLimit: 1_048_576,
  });
  // Every route, so tests can walk them (e.g. to prove each mutation writes an audit event).
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // JSON only: a cross-site HTML form can send text/plain without a preflight, so refuse it.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onClose', async () => {
    stopDetection();
    stopTamperAlarms();
    audit.signed.off('signed', onCheckpointSigned);
    // Refusals still being counted are written before the audit trail stops.
    await services.throttledSignIns.close();
    await services.threats.pipeline.idle();
    await services.alerts.stop();
    // A task delivery or clock sweep in progress finishes before the database closes.
    await services.privacy.stop();
    await services.detectionState.close();
    await services.signInDelays.close();
    await services.signInAccountsPerIp.close();
    await audit.stop();
    // Whatever job is left (the tail poll) stops too; leader-only ones give their lease up to expiry.
    await jobs.stop();
    await lease?.close();
    deps.mailer.close();
    await deps.limiter.close();
    if (!options.database) await database.destroy();
  });

  registerSecurityHeaders(app, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Only behind https: on plain-http installs it would break every asset request.
        upgradeInsecureRequests: config.secureCookies ? [] : null,
      },
    },
    strictTransportSecurity: config.secureCookies ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyCookie);
  registerErrorHandler(app, stepUpDetails(services.mfaVerifier));
  registerRequestStatementTimeout(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custos API',
        version: '0.1.0',
        description:
          'Security & compliance control plane. Errors are always `{"error":{"code","message","details"}}`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session token (sign-in with tokenType bearer) or an API key',
          },
          cookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Console session; unsafe methods also need the x-csrf-token header',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuthHook(app, {
    session: (token, meta) => services.auth.authenticate(token, meta),
    apiKey: (key, meta) => services.apiKeys.authenticate(key, meta),
    csrfTokenFor,
    isApiKey: isApiKeyToken,
    sessionCookie: SESSION_COOKIE,
    csrfHeader: CSRF_HEADER,
    safeEqual,
    admit: async (caller, request) => {
      if (caller.kind === 'anonymous' || caller.organizationId === null) return;
      // Signing out always works: a refused session can still be ended by its holder.
      if (request.routeOptions.url === '/api/v1/auth/sign-out') return;
      const access = await services.accessPolicies.at(deps.db, caller.organizationId, caller.accessVersion);
      await services.ruleEnforcer.check(caller, access);
    },
  });

  await app.register(
    systemRoutes(deps.db, {
      integrityAlarms: () => audit.alarms.all(),
      mailer: deps.mailer,
      jobs: () => services.jobs?.states() ?? [],
    }),
  );
  await app.register(setupRoutes(config, services.setup));
  registerEnrollmentGate(app);
  registerStepUpDemandGate(app);
  await app.register(
    authRoutes(config, services.auth, services.account, services.passwordReset, services.stepUp),
  );
  await app.register(mfaRoutes(config, services.mfa));
  await app.register(sessionRoutes(services.sessions));
  await app.register(securityPolicyRoutes(services.policies));
  await app.register(userRoutes(services.users));
  await app.register(impersonationRoutes(config, services.impersonation));
  await app.register(memberRoutes(services.members));
  await app.register(invitationRoutes(config, services.invitations));
  await app.register(apiKeyRoutes(services.apiKeys));
  await app.register(accessRoutes(services));
  await app.register(accessRuleRoutes(services.accessRules));
  await app.register(organizationRoutes(services.organizations, services.outbox));
  await app.register(audit.routes);
  await app.register(tailRoutes({ ...deps, recorder: audit.recorder, events: audit.events, jobs }));
  await app.register(services.threats.routes);
  await app.register(services.alerts.routes);
  await app.register(overviewRoutes(services.overview));
  await app.register(services.privacy.routes);
  registerDenialAudit(app, audit.recorder);
  audit.start();
  await services.alerts.start();
  services.privacy.start();

  const webRoot = options.webRoot === undefined ? DEFAULT_WEB_ROOT : options.webRoot;
  if (webRoot && fs.existsSync(path.join(webRoot, 'index.html'))) await serveConsole(app, webRoot);
  else app.setNotFoundHandler(sendRouteNotFound);
  return { app, services, deps, routes };
}

/** The console: static assets, and index.html for any other non-API GET (client-side routes). */
async function serveConsole(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, { root, wildcard: false, index: false, maxAge: '1h' });
  const indexHtml = fs.readFileSync(path.join(root, 'index.html'));
  const sendIndex = (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(indexHtml);
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.setNotFoundHandler((req, reply) => {
    if (req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/assets/')) {
      return sendIndex(req, reply);
    }
    return sendRouteNotFound(req, reply);
  });
}
