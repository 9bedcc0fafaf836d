import type { CustosClient } from '@custos/sdk';
import type { MfaProof } from '@custos/shared';
import type { ApiError } from '../../app/errors';
import type { StepUpMethod } from '../../app/stepUp';
import { getPasskeyAssertion } from '../../app/webauthn';

/**
 * What the user gave to prove it is them, before a passkey ceremony turns "use a passkey" into an
 * assertion. Sign-in challenges take the factor methods; step-up also takes the password of a user
 * without factors.
 */
export type ProofInput =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  | { method: 'password'; password: string }
  | { method: 'passkey' };

/** The order methods are offered in: the quickest first. */
export const METHOD_ORDER: readonly StepUpMethod[] = ['totp', 'passkey', 'recovery_code', 'password'];

/** A factor proof for the API; for a passkey, runs the browser ceremony with options fetched by `options`. */
export async function factorProof(
  proof: Exclude<ProofInput, { method: 'password' }>,
  options: () => Promise<Record<string, unknown> | null>,
): Promise<MfaProof> {
  if (proof.method !== 'passkey') return proof;
  const requestOptions = await options();
  if (!requestOptions) {
    throw {
      status: 0,
      code: 'MFA_METHOD_UNAVAILABLE',
      message: 'You have no passkey to use here. Choose another way.',
    } satisfies ApiError;
  }
  return { method: 'passkey', response: await getPasskeyAssertion(requestOptions) };
}

/** Step-up body for a proof: the password as is, a passkey through a fresh ceremony. */
export async function stepUpProof(sdk: CustosClient, proof: ProofInput) {
  if (proof.method === 'password') return proof;
  return factorProof(proof, async () => (await sdk.auth.stepUpOptions()).passkey);
}
