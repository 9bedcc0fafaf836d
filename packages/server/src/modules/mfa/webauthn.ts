import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { badRequest } from '../../platform/http/errors';

/** The relying party is the public URL Custos is reached at: passkeys are bound to its host. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingPartyFor(publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  return { id: url.hostname, name: 'Custos', origin: url.origin };
}

export interface StoredCredential {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: AuthenticatorTransportFuture[];
}

/** Our request schema only checks the outline; the library checks every field it reads. */
type WebAuthnJson = { id: string; rawId: string; type: 'public-key'; response: Record<string, unknown> };
const asRegistration = (r: WebAuthnJson) => r as unknown as RegistrationResponseJSON;
const asAuthentication = (r: WebAuthnJson) => r as unknown as AuthenticationResponseJSON;

const failed = (message: string) => badRequest('PASSKEY_VERIFICATION_FAILED', message);

/**
 * The challenge a WebAuthn response claims to answer (from its client data), to find the ceremony it
 * belongs to; null when it names none. Only a lookup key: verification still checks it.
 */
export function challengeOfResponse(response: { response: Record<string, unknown> }): string | null {
  const clientData = response.response.clientDataJSON;
  if (typeof clientData !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(clientData, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('challenge' in parsed)) return null;
    return typeof parsed.challenge === 'string' && parsed.challenge.length > 0 ? parsed.challenge : null;
  } catch {
    return null;
  }
}

export function createWebAuthn(rp: RelyingParty) {
  return {
    async registrationOptions(
      user: { id: string; email: string; name: string },
      existing: StoredCredential[],
    ) {
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: new TextEncoder().encode(user.id),
        userName: user.email,
        userDisplayName: user.name,
        attestationType: 'none',
        excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
        // Discoverable credentials make passwordless sign-in possible; verification is asked, not required.
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
    },

    async verifyRegistration(response: WebAuthnJson, expectedChallenge: string) {
      let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        result = await verifyRegistrationResponse({
          response: asRegistration(response),
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch {
        // The library's message names internals (expected challenge, origin): not for the client.
        throw failed('The passkey could not be registered. Start again.');
      }
      if (!result.verified) throw failed('The passkey could not be registered.');
      const { credential, credentialBackedUp } = result.registrationInfo;
      return {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        signCount: credential.counter,
        transports: credential.transports ?? [],
        backedUp: credentialBackedUp,
      };
    },

    async authenticationOptions(
      allowed: StoredCredential[] | null,
      userVerification: 'required' | 'preferred',
    ) {
      return generateAuthenticationOptions({
        rpID: rp.id,
        userVerification,
        ...(allowed
          ? { allowCredentials: allowed.map((c) => ({ id: c.credentialId, transports: c.transports })) }
          : {}),
      });
    },

    /**
     * Checks an assertion against the stored credential; a signature counter that does not grow
     * (a cloned authenticator) fails. Passwordless sign-in needs user verification: the passkey
     * then stands for both factors.
     */
    async verifyAuthentication(
      response: WebAuthnJson,
      expectedChallenge: string,
      credential: StoredCredential,
      requireUserVerification: boolean,
    ) {
      let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        result = await verifyAuthenticationResponse({
          response: asAuthentication(response),
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification,
          credential: {
            id: credential.credentialId,
            publicKey: Buffer.from(credential.publicKey, 'base64url'),
            counter: credential.signCount,
            transports: credential.transports,
          },
        });
      } catch {
        throw failed('The passkey was not accepted. Try again, or use another method.');
      }
      if (!result.verified) throw failed('The passkey was not accepted.');
      return {
        newCounter: result.authenticationInfo.newCounter,
        backedUp: result.authenticationInfo.credentialBackedUp,
      };
    },
  };
}

export type WebAuthn = ReturnType<typeof createWebAuthn>;
