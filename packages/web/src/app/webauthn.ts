import type { WebAuthnResponse } from '@custos/sdk';
import {
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import type { ApiError } from './errors';

/**
 * Passkey ceremonies in the browser. The options come from @simplewebauthn/server, so they have the
 * JSON shapes @simplewebauthn/browser expects; the contracts type them as plain records.
 */

function passkeyError(error: unknown): ApiError {
  const name = error instanceof WebAuthnError ? (error.cause as Error | undefined)?.name : undefined;
  const code = error instanceof WebAuthnError ? error.code : undefined;
  if (name === 'NotAllowedError' || code === 'ERROR_CEREMONY_ABORTED') {
    return {
      status: 0,
      code: 'PASSKEY_CANCELLED',
      message: 'The passkey prompt was closed or timed out. Try again, or choose another way.',
    };
  }
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return {
      status: 0,
      code: 'PASSKEY_ALREADY_REGISTERED',
      message: 'This authenticator already holds a passkey for your account. Use another one.',
    };
  }
  return {
    status: 0,
    code: 'PASSKEY_UNAVAILABLE',
    message: `The browser could not use a passkey${error instanceof Error ? ` (${error.message})` : ''}. Try another way.`,
  };
}

/** The JSON a browser ceremony answers, as the contracts take it (a plain object, not an interface). */
function asResponse(credential: AuthenticationResponseJSON | RegistrationResponseJSON): WebAuthnResponse {
  return {
    ...credential,
    type: 'public-key',
    response: { ...credential.response },
    clientExtensionResults: { ...credential.clientExtensionResults },
  };
}

/** Asks the browser for a passkey assertion; a refusal throws an `ApiError` saying what to do. */
export async function getPasskeyAssertion(options: Record<string, unknown>): Promise<WebAuthnResponse> {
  try {
    const credential = await startAuthentication({
      optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
    });
    return asResponse(credential);
  } catch (error) {
    throw passkeyError(error);
  }
}

/** Asks the browser to create a passkey; a refusal throws an `ApiError` saying what to do. */
export async function createPasskey(options: Record<string, unknown>): Promise<WebAuthnResponse> {
  try {
    const credential = await startRegistration({
      optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
    });
    return asResponse(credential);
  } catch (error) {
    throw passkeyError(error);
  }
}
