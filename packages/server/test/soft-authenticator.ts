/**
 * A software WebAuthn authenticator (plus the browser's client-side part) for integration tests: it answers
 * the options JSON that `@simplewebauthn/server` generates with the response JSON that it verifies, so tests
 * can register passkeys and sign in with them without a browser.
 *
 * Credentials are ES256 (P-256, SHA-256, DER signatures), attestation is always 'none', and every credential
 * is discoverable (it remembers the user handle). Not a security device: keys live in memory.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

// --- A tiny CBOR encoder: just what attestation objects and COSE keys need (RFC 8949 major types 0,1,2,3,5).

export type CborValue = number | string | Uint8Array | Map<CborValue, CborValue>;

function cborHead(major: number, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) {
    throw new RangeError(`CBOR: unsupported length/value ${length}`);
  }
  const type = major << 5;
  if (length < 24) return Uint8Array.of(type | length);
  if (length <= 0xff) return Uint8Array.of(type | 24, length);
  return Uint8Array.of(type | 25, length >> 8, length & 0xff);
}

export function cborEncode(value: CborValue): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new RangeError(`CBOR: not an integer: ${value}`);
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) {
    return Buffer.concat([cborHead(2, value.length), value]);
  }
  const parts: Uint8Array[] = [cborHead(5, value.size)];
  for (const [key, item] of value) parts.push(cborEncode(key), cborEncode(item));
  return Buffer.concat(parts);
}

// --- Helpers.

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
// BE (0x08) and BS (0x10) stay 0: a single-device, not-backed-up credential.
const FLAG_AT = 0x40;
const COSE_ALG_ES256 = -7;

/** What register() reads; PublicKeyCredentialCreationOptionsJSON (generateRegistrationOptions) fits. */
export type RegistrationRequest = Omit<
  Partial<PublicKeyCredentialCreationOptionsJSON>,
  'challenge' | 'rp' | 'user' | 'excludeCredentials' | 'pubKeyCredParams'
> & {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName?: string };
  excludeCredentials?: { id: string }[];
  pubKeyCredParams?: { alg: number }[];
};

/** What authenticate() reads; PublicKeyCredentialRequestOptionsJSON (generateAuthenticationOptions) fits. */
export type AuthenticationRequest = Omit<
  Partial<PublicKeyCredentialRequestOptionsJSON>,
  'challenge' | 'allowCredentials'
> & {
  challenge: string;
  allowCredentials?: { id: string }[];
};

/** Per-ceremony deviations, for negative tests. */
export interface CeremonyOverrides {
  /** Origin written into clientDataJSON (default: the authenticator's origin). */
  origin?: string;
  /** Set the UV flag or not (default: the constructor's userVerification). */
  userVerification?: boolean;
}

export interface AuthenticateOverrides extends CeremonyOverrides {
  /** Which credential to use when several would do (the user's pick in the browser's account chooser). */
  credentialId?: string;
}

export interface SoftCredentialInfo {
  /** base64url credential id */
  id: string;
  rpId: string;
  /** base64url user handle (user.id of the registration options) */
  userHandle: string;
  userName: string;
  counter: number;
  /** COSE_Key bytes, as they appear in the attested credential data */
  publicKey: Uint8Array;
}

interface StoredCredential {
  id: Uint8Array;
  rpId: string;
  userHandle: string;
  userName: string;
  privateKeyPem: string;
  privateKey: KeyObject;
  publicKey: Uint8Array;
  counter: number;
}

export class SoftAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  readonly userVerification: boolean;
  /** Keyed by base64url credential id, in registration order. */
  private readonly credentials = new Map<string, StoredCredential>();

  constructor(options: { origin: string; rpId?: string; userVerification?: boolean }) {
    this.origin = options.origin;
    this.rpId = options.rpId ?? new URL(options.origin).hostname;
    this.userVerification = options.userVerification ?? true;
  }

  /** navigator.credentials.create(): a new ES256 credential, attestation 'none'. */
  register(options: RegistrationRequest, overrides: CeremonyOverrides = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? this.rpId;
    this.assertRpId(rpId);
    const params = options.pubKeyCredParams;
    if (params && params.length > 0 && !params.some((p) => p.alg === COSE_ALG_ES256)) {
      throw new Error('NotSupportedError: the relying party does not accept ES256');
    }
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.credentials.get(excluded.id)?.rpId === rpId) {
        throw new Error('InvalidStateError: the authenticator already holds an excluded credential');
      }
    }

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new Error('EC JWK export lacks x/y');
    const coseKey = cborEncode(
      new Map<CborValue, CborValue>([
        [1, 2], // kty: EC2
        [3, COSE_ALG_ES256], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x, 'base64url')],
        [-3, Buffer.from(jwk.y, 'base64url')],
      ]),
    );
    const credentialId = new Uint8Array(randomBytes(16));
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const attestedCredentialData = Buffer.concat([Buffer.alloc(16), idLength, credentialId, coseKey]);

    const stored: StoredCredential = {
      id: credentialId,
      rpId,
      userHandle: options.user.id,
      userName: options.user.name,
      privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      privateKey,
      publicKey: coseKey,
      counter: 0,
    };
    const authData = this.authenticatorData(rpId, FLAG_AT, stored.counter, overrides, attestedCredentialData);
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, overrides);
    const attestationObject = cborEncode(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.credentials.set(b64url(credentialId), stored);

    const id = b64url(credentialId);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /**
   * navigator.credentials.get(): an assertion by a stored credential listed in allowCredentials, or, when the
   * list is empty/absent, by any credential for the rpId (discoverable; the last registered unless
   * overrides.credentialId picks one). The signature counter increments on each use.
   */
  authenticate(
    options: AuthenticationRequest,
    overrides: AuthenticateOverrides = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? this.rpId;
    this.assertRpId(rpId);
    const credential = this.pickCredential(rpId, options.allowCredentials ?? [], overrides.credentialId);
    credential.counter = (credential.counter + 1) >>> 0;

    const authData = this.authenticatorData(rpId, 0, credential.counter, overrides);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, overrides);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );

    const id = b64url(credential.id);
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** base64url ids of the stored credentials, in registration order. */
  credentialIds(): string[] {
    return [...this.credentials.keys()];
  }

  credential(id: string): SoftCredentialInfo {
    const c = this.mustGet(id);
    return {
      id,
      rpId: c.rpId,
      userHandle: c.userHandle,
      userName: c.userName,
      counter: c.counter,
      publicKey: c.publicKey,
    };
  }

  /** Set a credential's signature counter (e.g. back, to simulate a cloned authenticator). */
  setCounter(id: string, counter: number): void {
    if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
      throw new RangeError(`counter out of range: ${counter}`);
    }
    this.mustGet(id).counter = counter;
  }

  /** Forget a credential (the user deleted the passkey on the device). */
  remove(id: string): void {
    this.credentials.delete(id);
  }

  /**
   * An independent copy holding the same keys and counters (a cloned authenticator); optionally at another
   * origin (a phishing site relaying to the same RP).
   */
  clone(options: { origin?: string; rpId?: string; userVerification?: boolean } = {}): SoftAuthenticator {
    const copy = new SoftAuthenticator({
      origin: options.origin ?? this.origin,
      rpId: options.rpId ?? (options.origin ? undefined : this.rpId),
      userVerification: options.userVerification ?? this.userVerification,
    });
    for (const [id, c] of this.credentials) {
      copy.credentials.set(id, {
        ...c,
        id: new Uint8Array(c.id),
        publicKey: new Uint8Array(c.publicKey),
        privateKey: createPrivateKey(c.privateKeyPem),
      });
    }
    return copy;
  }

  // --- internals

  /** The browser refuses an RP ID that is not the origin's host or a parent domain of it. */
  private assertRpId(rpId: string): void {
    const host = new URL(this.origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new Error(`SecurityError: RP ID "${rpId}" is not valid for origin ${this.origin}`);
    }
  }

  private pickCredential(
    rpId: string,
    allow: { id: string }[],
    chosen: string | undefined,
  ): StoredCredential {
    const candidates =
      allow.length > 0
        ? allow.flatMap((d) => {
            const c = this.credentials.get(d.id);
            return c && c.rpId === rpId ? [c] : [];
          })
        : [...this.credentials.values()].filter((c) => c.rpId === rpId);
    const picked = chosen === undefined ? candidates.at(-1) : candidates.find((c) => b64url(c.id) === chosen);
    if (!picked) throw new Error(`NotAllowedError: no matching credential for RP ID "${rpId}"`);
    return picked;
  }

  private mustGet(id: string): StoredCredential {
    const c = this.credentials.get(id);
    if (!c) throw new Error(`unknown credential ${id}`);
    return c;
  }

  private clientData(
    type: 'webauthn.create' | 'webauthn.get',
    challenge: string,
    o: CeremonyOverrides,
  ): Buffer {
    return Buffer.from(
      JSON.stringify({ type, challenge, origin: o.origin ?? this.origin, crossOrigin: false }),
      'utf8',
    );
  }

  private authenticatorData(
    rpId: string,
    extraFlags: number,
    counter: number,
    o: CeremonyOverrides,
    attestedCredentialData?: Uint8Array,
  ): Buffer {
    const flags = FLAG_UP | ((o.userVerification ?? this.userVerification) ? FLAG_UV : 0) | extraFlags;
    const signCount = Buffer.alloc(4);
    signCount.writeUInt32BE(counter);
    const parts: Uint8Array[] = [sha256(rpId), Uint8Array.of(flags), signCount];
    if (attestedCredentialData) parts.push(attestedCredentialData);
    return Buffer.concat(parts);
  }
}
