import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousKeyError,
  describeKey,
  ed25519KeyId,
  encodeVerifierKey,
  formatCheckpoint,
  generateSignerKey,
  InvalidSignatureError,
  isValidKeyName,
  MAX_NOTE_SIGNATURES,
  MalformedCheckpointError,
  MalformedKeyError,
  MalformedNoteError,
  type NoteVerifier,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  SignedNoteError,
  signNote,
  UnverifiedNoteError,
} from './signed-note';

// Test vectors from golang.org/x/mod, sumdb/note/note_test.go (TestNewVerifier, TestNewSigner,
// TestSign, TestVerifierList, TestOpen). Ed25519 is deterministic, so signing the same text with
// the same key must reproduce Go's signature byte for byte.
const PETER_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VERIFIER_KEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

const peter = parseVerifierKey(PETER_VERIFIER_KEY);
const enoch = parseVerifierKey(ENOCH_VERIFIER_KEY);
const PETER_ID = { name: 'PeterNeumann', keyId: 0xc74f20a3 };
const ENOCH_ID = { name: 'EnochRoot', keyId: 0xaf0cfe78 };

/** Go slices strings by byte; the em dash is 3 bytes in UTF-8 but one JS code unit. */
function insertAtByte(text: string, byteOffset: number, insert: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([
    bytes.subarray(0, byteOffset),
    Buffer.from(insert),
    bytes.subarray(byteOffset),
  ]).toString();
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('key names and key IDs', () => {
  it('computes the key ID as SHA-256(name ‖ \\n ‖ 0x01 ‖ key)[:4], matching the Go vectors', () => {
    const rawPeter = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64').subarray(1);
    expect(ed25519KeyId('PeterNeumann', rawPeter)).toBe(0xc74f20a3);
    const manual = createHash('sha256')
      .update(Buffer.concat([Buffer.from('PeterNeumann\n'), Buffer.from([0x01]), rawPeter]))
      .digest()
      .readUInt32BE(0);
    expect(manual).toBe(0xc74f20a3);
    expect(encodeVerifierKey('PeterNeumann', rawPeter)).toBe(PETER_VERIFIER_KEY);
    expect(peter).toMatchObject(PETER_ID);
    expect(enoch).toMatchObject(ENOCH_ID);
    expect(peter.verifierKey).toBe(PETER_VERIFIER_KEY);
    expect(describeKey(peter)).toBe('PeterNeumann+c74f20a3');
    expect(describeKey({ name: 'x', keyId: 0x0a })).toBe('x+0000000a');
  });

  it('accepts names without spaces or plus signs, and nothing else', () => {
    for (const name of [
      'PeterNeumann',
      'example.com/log42',
      'quasimodo.example/salvatore',
      'ünï/cödé',
      '—',
    ]) {
      expect(isValidKeyName(name)).toBe(true);
    }
    for (const name of [
      '',
      'a+b',
      'a b',
      'a\tb',
      'a\nb',
      'a\u00a0b',
      'a\u0085b',
      'a\u2028b',
      'a\u3000b',
      'a\u0001b',
      'a\ud800',
    ]) {
      expect({ name, valid: isValidKeyName(name) }).toEqual({ name, valid: false });
    }
  });
});

describe('verifier keys', () => {
  it('rejects every truncation and every single-character change of the Go vector key', () => {
    for (let i = 0; i <= PETER_VERIFIER_KEY.length; i++) {
      for (let j = i + 1; j <= PETER_VERIFIER_KEY.length; j++) {
        if (i === 0 && j === PETER_VERIFIER_KEY.length) continue;
        expect(() => parseVerifierKey(PETER_VERIFIER_KEY.slice(i, j))).toThrow(MalformedKeyError);
      }
    }
    for (let i = 0; i < PETER_VERIFIER_KEY.length; i++) {
      const changed =
        PETER_VERIFIER_KEY.slice(0, i) +
        String.fromCharCode(PETER_VERIFIER_KEY.charCodeAt(i) + 1) +
        PETER_VERIFIER_KEY.slice(i + 1);
      expect(() => parseVerifierKey(changed)).toThrow(MalformedKeyError);
    }
  });

  it('says why a key is refused', () => {
    // From TestNewVerifier: a wrong-length key and an unknown algorithm, each with a matching key ID.
    // Go's decoder tolerates the non-canonical "EY==" ending; ours wants the one canonical spelling.
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(MalformedKeyError);
    const longKey = Buffer.concat([Buffer.from([0x01]), Buffer.alloc(35, 7)]).toString('base64');
    expect(() => parseVerifierKey(`PeterNeumann+c74f20a3+${longKey}`)).toThrow(
      /Ed25519 key is 32 bytes, got 35/,
    );
    expect(() =>
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(/unknown key algorithm 0x65/);
    expect(() =>
      parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(/key ID c74f20a4 does not match the key/);
    expect(() => parseVerifierKey('PeterNeumann')).toThrow(/<name>\+<key id>\+<key>/);
    expect(() => parseVerifierKey('Peter Neumann+c74f20a3+ARpc')).toThrow(/invalid key name/);
    expect(() =>
      parseVerifierKey('PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(/8 hex digits/);
    expect(() =>
      parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW'),
    ).toThrow(/not base64/);
    expect(() => parseVerifierKey('PeterNeumann+c74f20a3+')).toThrow(/not base64/);
    expect(errorOf(() => parseVerifierKey('x'))).toMatchObject({ code: 'MALFORMED_KEY' });
  });

  it('accepts an upper-case key ID, as Go does, and re-encodes it canonically', () => {
    const upper = PETER_VERIFIER_KEY.replace('c74f20a3', 'C74F20A3');
    expect(parseVerifierKey(upper).verifierKey).toBe(PETER_VERIFIER_KEY);
  });
});

describe('signer keys', () => {
  it('parses the Go vector signer key and derives the matching verifier', () => {
    const signer = parseSignerKey(PETER_SIGNER_KEY);
    expect(signer).toMatchObject(PETER_ID);
    expect(signer.verifier.verifierKey).toBe(PETER_VERIFIER_KEY);
    expect(signer.privateKey.asymmetricKeyType).toBe('ed25519');
  });

  it('rejects every truncation and every single-character change of the Go vector key', () => {
    for (let i = 0; i <= PETER_SIGNER_KEY.length; i++) {
      for (let j = i + 1; j <= PETER_SIGNER_KEY.length; j++) {
        if (i === 0 && j === PETER_SIGNER_KEY.length) continue;
        expect(() => parseSignerKey(PETER_SIGNER_KEY.slice(i, j))).toThrow(MalformedKeyError);
      }
    }
    for (let i = 0; i < PETER_SIGNER_KEY.length; i++) {
      const changed =
        PETER_SIGNER_KEY.slice(0, i) +
        String.fromCharCode(PETER_SIGNER_KEY.charCodeAt(i) + 1) +
        PETER_SIGNER_KEY.slice(i + 1);
      expect(() => parseSignerKey(changed)).toThrow(MalformedKeyError);
    }
  });

  it('refuses a verifier key where a signer key is expected, and a mismatched key ID', () => {
    expect(() => parseSignerKey(PETER_VERIFIER_KEY)).toThrow(/starts with PRIVATE\+KEY\+/);
    expect(() => parseSignerKey(PETER_SIGNER_KEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/does not match/);
  });

  it('generates key pairs that parse, sign and verify', () => {
    const { signerKey, verifierKey } = generateSignerKey('custos.example/audit');
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+custos\.example\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(verifierKey).toMatch(/^custos\.example\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const signer = parseSignerKey(signerKey);
    const verifier = parseVerifierKey(verifierKey);
    expect(signer.verifier.verifierKey).toBe(verifierKey);
    expect(signer.keyId).toBe(verifier.keyId);
    expect(openNote(signNote('hello\n', signer), [verifier]).verifiedBy).toEqual([
      { name: 'custos.example/audit', keyId: verifier.keyId },
    ]);
    expect(generateSignerKey('custos.example/audit').signerKey).not.toBe(signerKey);
    expect(() => generateSignerKey('bad name')).toThrow(MalformedKeyError);
    expect(() => generateSignerKey('')).toThrow(MalformedKeyError);
  });
});

describe('signNote', () => {
  const signer = parseSignerKey(PETER_SIGNER_KEY);

  it('reproduces the note Go signs with the same key, byte for byte', () => {
    expect(signNote(TEXT, signer)).toBe(`${TEXT}\n${PETER_SIG}`);
    expect(signNote(TEXT, [signer])).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('signs with several keys in order', () => {
    const other = parseSignerKey(generateSignerKey('other.example').signerKey);
    const note = signNote(TEXT, [signer, other]);
    expect(note.startsWith(`${TEXT}\n${PETER_SIG}\u2014 other.example `)).toBe(true);
    expect(openNote(note, [peter, other.verifier]).verifiedBy).toEqual([
      PETER_ID,
      { name: 'other.example', keyId: other.keyId },
    ]);
  });

  it('refuses text that could not be opened again', () => {
    expect(() => signNote('abc', signer)).toThrow(/must end with a newline/);
    expect(() => signNote('', signer)).toThrow(MalformedNoteError);
    expect(() => signNote('a\u0001b\n', signer)).toThrow(/control character U\+0001 at 1/);
    expect(() => signNote('a\rb\n', signer)).toThrow(MalformedNoteError);
    expect(() => signNote('a\ud800\n', signer)).toThrow(/not valid Unicode/);
    expect(() => signNote(TEXT, [])).toThrow(/at least one signature/);
    expect(() => signNote(TEXT, { ...signer, name: 'bad name' })).toThrow(MalformedKeyError);
  });

  it('signs bodies with empty lines and non-ASCII text, which open to the same body', () => {
    const body =
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n';
    expect(openNote(signNote(body, signer), [peter]).body).toBe(body);
    const trailingEmpty = 'a\n\n';
    expect(openNote(signNote(trailingEmpty, signer), [peter]).body).toBe(trailingEmpty);
    expect(openNote(signNote('\n', signer), [peter]).body).toBe('\n');
  });
});

describe('openNote', () => {
  const both = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;

  it('opens the Go note: one key known, one not', () => {
    expect(openNote(both, [peter])).toEqual({ body: TEXT, verifiedBy: [PETER_ID], unverified: [ENOCH_ID] });
  });

  it('opens the Go note with both keys known, as a string or as bytes', () => {
    const expected = { body: TEXT, verifiedBy: [PETER_ID, ENOCH_ID], unverified: [] };
    expect(openNote(both, [peter, enoch])).toEqual(expected);
    expect(openNote(Buffer.from(both, 'utf8'), [enoch, peter])).toEqual(expected);
    expect(openNote(new Uint8Array(Buffer.from(both, 'utf8')), [peter, enoch])).toEqual(expected);
  });

  it('rejects a note with no signature from a known key', () => {
    const error = errorOf(() => openNote(both, []));
    expect(error).toBeInstanceOf(UnverifiedNoteError);
    expect(error).toBeInstanceOf(SignedNoteError);
    expect(error).toMatchObject({ code: 'UNKNOWN_KEY', signers: [PETER_ID, ENOCH_ID] });
    expect((error as Error).message).toBe(
      'note has no signature from a known key (signed by: PeterNeumann+c74f20a3, EnochRoot+af0cfe78)',
    );
  });

  it('ignores signatures that share only the name or only the key ID of a known key', () => {
    const impostor = parseSignerKey(generateSignerKey('PeterNeumann').signerKey);
    expect(() => openNote(`${TEXT}\n${PETER_SIG}`, [impostor.verifier])).toThrow(UnverifiedNoteError);
    const renamed = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
    expect(() => openNote(`${TEXT}\n${renamed}`, [peter])).toThrow(UnverifiedNoteError);
    // Changing the first base64 characters changes the key ID: an unknown key, not a bad signature.
    const otherId = PETER_SIG.replace('x08g', 'xxxx');
    expect(errorOf(() => openNote(`${TEXT}\n${otherId}`, [peter]))).toMatchObject({
      code: 'UNKNOWN_KEY',
      signers: [{ name: 'PeterNeumann', keyId: Buffer.from('xxxxo/ZJ', 'base64').readUInt32BE(0) }],
    });
  });

  it('rejects the whole note when a known key signature does not verify', () => {
    const corrupted = insertAtByte(PETER_SIG, 60, 'ABCD');
    const error = errorOf(() => openNote(`${TEXT}\n${corrupted}`, [peter]));
    expect(error).toBeInstanceOf(InvalidSignatureError);
    expect(error).toMatchObject({ code: 'BAD_SIGNATURE', key: PETER_ID });
    expect((error as Error).message).toBe('invalid signature for key PeterNeumann+c74f20a3');
    // Even next to a good signature from another known key.
    expect(() => openNote(`${TEXT}\n${ENOCH_SIG}${corrupted}`, [peter, enoch])).toThrow(
      InvalidSignatureError,
    );
  });

  it('rejects a tampered body', () => {
    for (const body of [TEXT.replace('problem', 'Problem'), `${TEXT}extra\n`, TEXT.slice(1), `${TEXT}\n`]) {
      expect(() => openNote(`${body}\n${PETER_SIG}`, [peter])).toThrow(InvalidSignatureError);
    }
  });

  it('rejects a flipped bit anywhere in the signature', () => {
    const signer = parseSignerKey(PETER_SIGNER_KEY);
    const note = signNote(TEXT, signer);
    const b64 = note.slice(note.lastIndexOf(' ') + 1, -1);
    const raw = Buffer.from(b64, 'base64');
    for (let byte = 4; byte < raw.length; byte++) {
      const tampered = Buffer.from(raw);
      tampered[byte] = (tampered[byte] ?? 0) ^ 0x01;
      const tamperedNote = note.replace(b64, tampered.toString('base64'));
      expect(() => openNote(tamperedNote, [peter])).toThrow(InvalidSignatureError);
    }
  });

  it('rejects a signature of the wrong length from a known key', () => {
    const short = Buffer.concat([Buffer.from('c74f20a3', 'hex'), Buffer.alloc(63)]).toString('base64');
    expect(() => openNote(`${TEXT}\n\u2014 PeterNeumann ${short}\n`, [peter])).toThrow(InvalidSignatureError);
  });

  it('keeps only the first signature of a key and de-duplicates unknown ones (Go parity)', () => {
    const enochAbcd = insertAtByte(ENOCH_SIG, 60, 'ABCD');
    const note = `${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochAbcd}`;
    expect(openNote(note, [peter])).toEqual({ body: TEXT, verifiedBy: [PETER_ID], unverified: [ENOCH_ID] });
  });

  it('tolerates the same key listed twice, but not two different keys under one name and ID', () => {
    expect(
      openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, peter, parseVerifierKey(ENOCH_VERIFIER_KEY)]).verifiedBy,
    ).toEqual([ENOCH_ID]);
    const forged: NoteVerifier = { ...enoch, publicKey: peter.publicKey };
    const error = errorOf(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [enoch, forged]));
    expect(error).toBeInstanceOf(AmbiguousKeyError);
    expect((error as Error).message).toBe('ambiguous key EnochRoot+af0cfe78');
    // Unused, the ambiguity does not matter.
    expect(openNote(`${TEXT}\n${PETER_SIG}`, [enoch, peter, forged]).verifiedBy).toEqual([PETER_ID]);
  });

  it('caps the number of signatures', () => {
    const many = `${TEXT}\n${PETER_SIG.repeat(MAX_NOTE_SIGNATURES + 1)}`;
    expect(() => openNote(many, [peter])).toThrow(/more than 100 signatures/);
    expect(() => openNote(many, [])).toThrow(MalformedNoteError);
    expect(openNote(`${TEXT}\n${PETER_SIG.repeat(MAX_NOTE_SIGNATURES)}`, [peter]).verifiedBy).toEqual([
      PETER_ID,
    ]);
  });

  it('rejects malformed notes (the badMsgs of TestOpen, and more)', () => {
    const bad: [string, RegExp][] = [
      [TEXT, /no empty line/],
      [`${TEXT}\n`, /newline-terminated lines/],
      [`${TEXT}\n${PETER_SIG.slice(0, -1)}`, /newline-terminated lines/],
      [`\u0001${TEXT}\n${PETER_SIG}`, /control character U\+0001 at 0/],
      [`${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'Bad Name').slice(0, -1)}`, /newline-terminated/],
      [`${TEXT}\n${PETER_SIG.replace('PeterNeumann', 'Bad Name')}`, /not base64/],
      [`${TEXT}\n${PETER_SIG}Unexpected line.\n`, /does not start with an em dash/],
      [`${TEXT}\n- PeterNeumann x08go/ZJ\n`, /does not start with an em dash/],
      [`${TEXT}\n\u2014 PeterNeumann\n`, /not base64/],
      [`${TEXT}\n\u2014  x08go/ZJ\n`, /invalid key name ""/],
      [`${TEXT}\n\u2014 Peter+Neumann x08go/ZJ\n`, /invalid key name/],
      [`${TEXT}\n\u2014 PeterNeumann x08go/Z\n`, /not base64/],
      [`${TEXT}\n\u2014 PeterNeumann x08go_ZJ\n`, /not base64/],
      [`${TEXT}\n\u2014 PeterNeumann x08g\n`, /not base64 of a key ID and a signature/],
      [`${TEXT}\r\n\r\n${PETER_SIG}`, /control character U\+000d/],
      [`${TEXT}\n${PETER_SIG}\n`, /newline-terminated lines/],
      [`${TEXT}\n\u2014 PeterNeumann  x08go/ZJ\n`, /not base64/],
      [`a\ud800\n\n${PETER_SIG}`, /not valid Unicode/],
    ];
    for (const [note, message] of bad) {
      const error = errorOf(() => openNote(note, [peter]));
      expect(error).toBeInstanceOf(MalformedNoteError);
      expect({ note, message: (error as Error).message }).toEqual({
        note,
        message: expect.stringMatching(message),
      });
    }
  });

  it('rejects bytes that are not UTF-8, and keeps a leading byte-order mark in the signed body', () => {
    const invalid = Buffer.concat([Buffer.from([0xff]), Buffer.from(`${TEXT}\n${PETER_SIG}`)]);
    expect(() => openNote(invalid, [peter])).toThrow(/not valid UTF-8/);
    const signer = parseSignerKey(PETER_SIGNER_KEY);
    const withBom = Buffer.from(signNote(`\ufeff${TEXT}`, signer), 'utf8');
    expect(openNote(withBom, [peter]).body).toBe(`\ufeff${TEXT}`);
    // Stripping the mark changes the signed bytes.
    expect(() => openNote(withBom.subarray(3), [peter])).toThrow(InvalidSignatureError);
  });
});

describe('checkpoints', () => {
  const root = createHash('sha256').update('root').digest();
  const signer = parseSignerKey(PETER_SIGNER_KEY);

  it('formats the body of c2sp.org/tlog-checkpoint and parses it back', () => {
    // The example of the spec: origin, size, root.
    const specRoot = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');
    const body = formatCheckpoint({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: specRoot,
    });
    expect(body).toBe(
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
    expect(parseCheckpoint(body)).toEqual({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      rootHash: specRoot,
      extensions: [],
    });
  });

  it('carries extension lines and size 0', () => {
    const checkpoint = {
      origin: 'custos.example/audit/x',
      size: 0,
      rootHash: root,
      extensions: ['ext one', 'ext—two'],
    };
    const body = formatCheckpoint(checkpoint);
    expect(body.split('\n')).toEqual([
      'custos.example/audit/x',
      '0',
      root.toString('base64'),
      'ext one',
      'ext—two',
      '',
    ]);
    expect(parseCheckpoint(body)).toEqual(checkpoint);
  });

  it('signs and opens a checkpoint in one round trip', () => {
    const body = formatCheckpoint({ origin: 'PeterNeumann', size: 42, rootHash: root });
    const note = signNote(body, signer);
    expect(openCheckpoint(note, [peter])).toEqual({
      checkpoint: { origin: 'PeterNeumann', size: 42, rootHash: root, extensions: [] },
      verifiedBy: [PETER_ID],
    });
    expect(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), [peter])).toThrow(InvalidSignatureError);
    // A validly signed note whose body is not a checkpoint.
    expect(() => openCheckpoint(`${TEXT}\n${PETER_SIG}`, [peter])).toThrow(MalformedCheckpointError);
  });

  it('refuses to format what it could not parse', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash: root })).toThrow(
      /origin must not be empty/,
    );
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root })).toThrow(/single line/);
    expect(() => formatCheckpoint({ origin: 'a\u0000', size: 1, rootHash: root })).toThrow(
      /control character/,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: -1, rootHash: root })).toThrow(/non-negative integer/);
    expect(() => formatCheckpoint({ origin: 'o', size: 1.5, rootHash: root })).toThrow(
      /non-negative integer/,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 2 ** 53, rootHash: root })).toThrow(
      /non-negative integer/,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root.subarray(1) })).toThrow(
      /32 bytes, got 31/,
    );
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root, extensions: [''] })).toThrow(
      /extension line must not be empty/,
    );
  });

  it('rejects malformed checkpoint bodies with a reason', () => {
    const b64 = root.toString('base64');
    const bad: [string, RegExp][] = [
      [`o\n1\n${b64}`, /end with a newline/],
      ['o\n1\n', /at least three lines/],
      ['\n', /at least three lines/],
      [`\n1\n${b64}\n`, /origin must not be empty/],
      [`o\n01\n${b64}\n`, /without leading zeros, got "01"/],
      [`o\n00\n${b64}\n`, /without leading zeros/],
      [`o\n-1\n${b64}\n`, /without leading zeros/],
      [`o\n+1\n${b64}\n`, /without leading zeros/],
      [`o\n1.0\n${b64}\n`, /without leading zeros/],
      [`o\n 1\n${b64}\n`, /without leading zeros/],
      [`o\n\n${b64}\n`, /without leading zeros, got ""/],
      [`o\n1e3\n${b64}\n`, /without leading zeros/],
      [`o\n9007199254740992\n${b64}\n`, /too large/],
      [`o\n1\n${b64.slice(0, -1)}\n`, /base64 of 32 bytes/],
      [`o\n1\n${root.subarray(1).toString('base64')}\n`, /base64 of 32 bytes/],
      [`o\n1\n${Buffer.concat([root, root]).toString('base64')}\n`, /base64 of 32 bytes/],
      [`o\n1\n${root.toString('base64url')}\n`, /base64 of 32 bytes/],
      [`o\n1\n${b64}\n\n`, /extension line must not be empty/],
      [`o\n1\n${b64}\next\n\nmore\n`, /extension line must not be empty/],
      [`o\u0007\n1\n${b64}\n`, /control character/],
    ];
    for (const [body, message] of bad) {
      const error = errorOf(() => parseCheckpoint(body));
      expect(error).toBeInstanceOf(MalformedCheckpointError);
      expect(error).toMatchObject({ code: 'MALFORMED_CHECKPOINT' });
      expect({ body, message: (error as Error).message }).toEqual({
        body,
        message: expect.stringMatching(message),
      });
    }
    expect(parseCheckpoint(`o\n9007199254740991\n${b64}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
  });
});
