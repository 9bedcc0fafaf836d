export { authChallenges } from './challenges';
export { registerEnrollmentGate, stepUpDetails } from './enrollment-gate';
export { resetFactors } from './reset';
export { mfaRoutes } from './routes';
export { createMfaSecrets, type MfaSecrets } from './secrets';
export { createMfaService, type MfaService } from './service';
export { matchTotpStep, totpCodeAt } from './totp';
export { createMfaVerifier, type MfaVerifier, type VerifiedFactor } from './verify';
export { challengeOfResponse, createWebAuthn, relyingPartyFor, type WebAuthn } from './webauthn';
