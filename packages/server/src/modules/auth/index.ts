export { createAccountService, passwordMinLengthFor } from './account';
export {
  accountLockKeys,
  hashedEmail,
  OPEN_SIGN_IN_GUARD,
  type SignInAttempt,
  type SignInClearance,
  type SignInGuardPort,
  type SignInTrust,
} from './guard-port';
export { createPasswordResetService, type PasswordResetService } from './password-reset';
export { authRoutes, deliverSignIn } from './routes';
export { type AuthService, createAuthService, type IssuedSession, type SignInOutcome } from './service';
export { createStepUpService, type StepUpService } from './step-up';
export { createThrottleSummaries, type ThrottledAttempt, type ThrottleSummaries } from './throttled';
