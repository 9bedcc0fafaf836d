import * as store from './store';

/**
 * The short-lived challenges of sign-in's and step-up's second step (and of passwordless passkey
 * sign-in), as the auth module runs them: issued, found by their token's hash, answered a limited
 * number of times, used once. The table stays this module's.
 */
export const authChallenges = {
  insertChallenge: store.insertChallenge,
  findChallenge: store.findChallenge,
  findSessionChallenge: store.findSessionChallenge,
  setChallengeWebauthn: store.setChallengeWebauthn,
  takeAttempt: store.takeAttempt,
  consumeChallenge: store.consumeChallenge,
  deleteStaleChallenges: store.deleteStaleChallenges,
};
