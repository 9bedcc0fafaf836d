import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { cborEncode, SoftAuthenticator } from './soft-authenticator';

const ORIGIN = 'http://custos.test';
const RP_ID = 'custos.test';
const USER_ID = new TextEncoder().encode('user-1234');

async function registered(authenticator = new SoftAuthenticator({ origin: ORIGIN })) {
  const options = await generateRegistrationOptions({
    rpName: 'Custos',
    rpID: RP_ID,
    userName: 'alice@example.com',
    userID: USER_ID,
    attestationType: 'none',
  });
  const response = authenticator.register(options);
  const result = await verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification: true,
  });
  if (!result.verified) throw new Error('registration not verified');
  return { authenticator, options, response, info: result.registrationInfo };
}

async function signIn(
  authenticator: SoftAuthenticator,
  credential: WebAuthnCredential,
  opts: { allow?: boolean; expectedOrigin?: string; expectedChallenge?: string } = {},
) {
  const options = await generateAuthenticationOptions({
    rpID: RP_ID,
    allowCredentials: opts.allow === false ? [] : [{ id: credential.id }],
    userVerification: 'required',
  });
  const response = authenticator.authenticate(options);
  const verify = (r = response) =>
    verifyAuthenticationResponse({
      response: r,
      expectedChallenge: opts.expectedChallenge ?? options.challenge,
      expectedOrigin: opts.expectedOrigin ?? ORIGIN,
      expectedRPID: RP_ID,
      credential,
      requireUserVerification: true,
    });
  return { options, response, verify };
}

describe('cborEncode', () => {
  it('encodes the major types it supports canonically', () => {
    const hex = (v: Parameters<typeof cborEncode>[0]) => Buffer.from(cborEncode(v)).toString('hex');
    expect(hex(0)).toBe('00');
    expect(hex(23)).toBe('17');
    expect(hex(24)).toBe('1818');
    expect(hex(500)).toBe('1901f4');
    expect(hex(-1)).toBe('20');
    expect(hex(-7)).toBe('26');
    expect(hex(-100)).toBe('3863');
    expect(hex('fmt')).toBe('63666d74');
    expect(hex(new Uint8Array([1, 2]))).toBe('420102');
    expect(hex(new Map())).toBe('a0');
    expect(hex(new Map([[1, 2]]))).toBe('a10102');
    expect(hex(new Uint8Array(300)).slice(0, 6)).toBe('59012c');
    expect(() => cborEncode(70000)).toThrow(RangeError);
    expect(() => cborEncode(1.5)).toThrow(RangeError);
  });
});

describe('SoftAuthenticator against @simplewebauthn/server', () => {
  it('registers an ES256 passkey with attestation none', async () => {
    const { authenticator, response, info } = await registered();
    expect(info.fmt).toBe('none');
    expect(info.userVerified).toBe(true);
    expect(info.credentialDeviceType).toBe('singleDevice');
    expect(info.credentialBackedUp).toBe(false);
    expect(info.origin).toBe(ORIGIN);
    expect(info.rpID).toBe(RP_ID);
    expect(info.credential.id).toBe(response.id);
    expect(info.credential.counter).toBe(0);
    expect(info.credential.transports).toEqual(['internal']);
    expect(authenticator.credentialIds()).toEqual([response.id]);
    expect(Buffer.from(info.credential.publicKey)).toEqual(
      Buffer.from(authenticator.credential(response.id).publicKey),
    );
  });

  it('signs in with the registered credential, counter increasing each time', async () => {
    const { authenticator, info } = await registered();
    const credential = { ...info.credential };
    for (const expected of [1, 2, 3]) {
      const { verify } = await signIn(authenticator, credential);
      const result = await verify();
      expect(result.verified).toBe(true);
      expect(result.authenticationInfo.userVerified).toBe(true);
      expect(result.authenticationInfo.newCounter).toBe(expected);
      expect(result.authenticationInfo.newCounter).toBeGreaterThan(credential.counter);
      credential.counter = result.authenticationInfo.newCounter;
    }
  });

  it('answers an empty allowCredentials with a discoverable credential and its user handle', async () => {
    const { authenticator, options, info } = await registered();
    const { response, verify } = await signIn(authenticator, info.credential, { allow: false });
    expect(response.id).toBe(info.credential.id);
    expect(response.response.userHandle).toBe(options.user.id);
    expect(Buffer.from(response.response.userHandle ?? '', 'base64url')).toEqual(Buffer.from(USER_ID));
    expect((await verify()).verified).toBe(true);
  });

  it('rejects an assertion for the wrong origin', async () => {
    const { authenticator, info } = await registered();
    const { verify } = await signIn(authenticator, info.credential, { expectedOrigin: 'http://evil.test' });
    await expect(verify()).rejects.toThrow(/origin/);

    const phisher = authenticator.clone({ origin: 'http://custos.test.evil.test', rpId: RP_ID });
    expect(() =>
      phisher.authenticate({ challenge: 'x', rpId: RP_ID, allowCredentials: [{ id: info.credential.id }] }),
    ).toThrow(/SecurityError/);
  });

  it('rejects an assertion for the wrong challenge', async () => {
    const { authenticator, info } = await registered();
    const { verify } = await signIn(authenticator, info.credential, {
      expectedChallenge: 'not-the-challenge',
    });
    await expect(verify()).rejects.toThrow(/challenge/);
  });

  it('rejects a registration for the wrong origin or challenge', async () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN });
    const options = await generateRegistrationOptions({ rpName: 'Custos', rpID: RP_ID, userName: 'bob' });
    const response = authenticator.register(options);
    const base = { response, expectedRPID: RP_ID, requireUserVerification: true };
    await expect(
      verifyRegistrationResponse({
        ...base,
        expectedChallenge: options.challenge,
        expectedOrigin: 'http://x.test',
      }),
    ).rejects.toThrow(/origin/);
    await expect(
      verifyRegistrationResponse({ ...base, expectedChallenge: 'other', expectedOrigin: ORIGIN }),
    ).rejects.toThrow(/challenge/);
  });

  it('rejects a replayed assertion and a counter set back (cloned authenticator)', async () => {
    const { authenticator, info } = await registered();
    const credential = { ...info.credential };
    const first = await signIn(authenticator, credential);
    const result = await first.verify();
    expect(result.authenticationInfo.newCounter).toBe(1);
    credential.counter = result.authenticationInfo.newCounter;

    // The very same assertion again (same counter): verified against the updated stored counter.
    await expect(
      verifyAuthenticationResponse({
        response: first.response,
        expectedChallenge: first.options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential,
        requireUserVerification: true,
      }),
    ).rejects.toThrow(/counter/);

    // A fresh assertion from a device whose counter went back.
    authenticator.setCounter(credential.id, 0);
    const stale = await signIn(authenticator, credential);
    await expect(stale.verify()).rejects.toThrow(/counter/);

    // A clone keeps the keys and the counter: both copies work until one falls behind.
    const copy = authenticator.clone();
    expect(copy.credentialIds()).toEqual(authenticator.credentialIds());
    authenticator.setCounter(credential.id, 5);
    const good = await signIn(authenticator, credential);
    const goodResult = await good.verify();
    expect(goodResult.authenticationInfo.newCounter).toBe(6);
    credential.counter = 6;
    const behind = await signIn(copy, credential);
    await expect(behind.verify()).rejects.toThrow(/counter/);
  });

  it('does not verify a tampered signature or tampered authenticator data', async () => {
    const { authenticator, info } = await registered();
    const { response, verify } = await signIn(authenticator, info.credential);

    const signature = Buffer.from(response.response.signature, 'base64url');
    const last = signature.length - 1;
    signature.writeUInt8((signature.readUInt8(last) ^ 0x01) & 0xff, last);
    const badSignature = {
      ...response,
      response: { ...response.response, signature: signature.toString('base64url') },
    };
    expect((await verify(badSignature)).verified).toBe(false);

    const authData = Buffer.from(response.response.authenticatorData, 'base64url');
    authData.writeUInt32BE(authData.readUInt32BE(33) + 100, 33); // bump the signed counter
    const badAuthData = {
      ...response,
      response: { ...response.response, authenticatorData: authData.toString('base64url') },
    };
    expect((await verify(badAuthData)).verified).toBe(false);

    expect((await verify()).verified).toBe(true);
  });

  it('fails user verification when the authenticator cannot verify the user', async () => {
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, userVerification: false });
    const options = await generateRegistrationOptions({ rpName: 'Custos', rpID: RP_ID, userName: 'carol' });
    const response = authenticator.register(options);
    await expect(
      verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        requireUserVerification: true,
      }),
    ).rejects.toThrow(/verif/);
  });

  it('behaves like an authenticator: excludeCredentials, unknown credentials, foreign RP IDs', async () => {
    const { authenticator, info } = await registered();
    const again = await generateRegistrationOptions({
      rpName: 'Custos',
      rpID: RP_ID,
      userName: 'alice@example.com',
      userID: USER_ID,
      excludeCredentials: [{ id: info.credential.id }],
    });
    expect(() => authenticator.register(again)).toThrow(/InvalidStateError/);
    expect(() =>
      authenticator.authenticate({ challenge: 'x', rpId: RP_ID, allowCredentials: [{ id: 'AAAA' }] }),
    ).toThrow(/NotAllowedError/);
    expect(() => authenticator.authenticate({ challenge: 'x', rpId: 'other.test' })).toThrow(/SecurityError/);
    expect(() => authenticator.setCounter('AAAA', 1)).toThrow(/unknown credential/);
  });
});
