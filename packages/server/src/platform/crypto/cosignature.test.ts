import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addCosignatures,
  COSIGNATURE_V1_TYPE,
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  encodeWitnessVerifierKey,
  generateWitnessKey,
  parseSignatureLines,
  parseWitnessSignerKey,
  parseWitnessVerifierKey,
  verifyCosignatures,
} from './cosignature';
import {
  AmbiguousKeyError,
  formatCheckpoint,
  formatKeyId,
  generateSignerKey,
  InvalidSignatureError,
  MalformedCheckpointError,
  MalformedKeyError,
  MalformedNoteError,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './signed-note';

// Known answer from sigsum-go, pkg/checkpoint/checkpoint_test.go (TestCheckpointCosignVerify and
// TestCheckpointVerifyCosignatureByKey): witness "example.org/witness" with Ed25519 seed
// {17, 0, …, 0} cosigns the checkpoint below at time 1234. Ed25519 is deterministic, so signing
// again must reproduce sigsum's line byte for byte.
const SIGSUM_SEED = Buffer.concat([Buffer.from([17]), Buffer.alloc(31)]);
const SIGSUM_BODY = 'example.org/log\n10\nHA5HAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n';
const SIGSUM_LINES = [
  // a different key ID
  '— example.org/witness yX8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==',
  // the cosignature
  '— example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==',
  // a different key name
  '— example.org/witness-2 ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+Cg==',
  // a different signature size (a repeat of the same key: ignored, the first line decides)
  '— example.org/witness ys8uUAAAAAAAAATSftMzceM8zssdZ9jin9SjwIxzx9iADMf63VqirX2hafol9RsqNqbofIz0LVRqHXI2kpEBSki5RTXFtxz1vo9+CgXX',
];
const SIGSUM_KEY_ID = 0xcacf2e50; // "ys8uUA" = ca cf 2e 50
const sigsumSignerKey = `PRIVATE+KEY+example.org/witness+${formatKeyId(SIGSUM_KEY_ID)}+${Buffer.concat([
  Buffer.from([COSIGNATURE_V1_TYPE]),
  SIGSUM_SEED,
]).toString('base64')}`;

const root = createHash('sha256').update('root').digest();
const body = formatCheckpoint({ origin: 'custos.example/custos/audit/org-1', size: 42, rootHash: root });
const log = parseSignerKey(generateSignerKey('custos.example/custos-audit').signerKey);
const witnessKeys = generateWitnessKey('witness.example/w1');
const witness = parseWitnessSignerKey(witnessKeys.signerKey);
const otherWitness = parseWitnessSignerKey(generateWitnessKey('witness.example/w2').signerKey);

function noteWith(...lines: string[]): string {
  return addCosignatures(signNote(body, log), lines);
}

/** `<name>+<id>+<key>`, where the base64 key may itself contain '+'. */
function keyFields(encoded: string): { name: string; id: string; key: string } {
  const [name = '', id = ''] = encoded.split('+', 2);
  return { name, id, key: encoded.slice(name.length + id.length + 2) };
}

/** The line with one byte of its decoded blob changed. */
function tamper(line: string, index: number): string {
  const [dash, name, blob] = line.trimEnd().split(' ');
  const bytes = Buffer.from(blob ?? '', 'base64');
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;
  return `${dash} ${name} ${bytes.toString('base64')}\n`;
}

describe('cosignature/v1 against the sigsum-go vector', () => {
  const signer = parseWitnessSignerKey(sigsumSignerKey);

  it('derives the key ID from name ‖ \\n ‖ 0x04 ‖ public key', () => {
    expect(signer.keyId).toBe(SIGSUM_KEY_ID);
    expect(parseWitnessVerifierKey(signer.verifier.verifierKey).keyId).toBe(SIGSUM_KEY_ID);
  });

  it('reproduces the cosignature line byte for byte', () => {
    expect(cosign(SIGSUM_BODY, signer, 1234)).toBe(`${SIGSUM_LINES[1]}\n`);
  });

  it('verifies only the matching line, as sigsum does', () => {
    const note = `${SIGSUM_BODY}\n${SIGSUM_LINES.map((line) => `${line}\n`).join('')}`;
    expect(verifyCosignatures(note, [signer.verifier.verifierKey])).toEqual({
      verified: [{ name: 'example.org/witness', keyId: SIGSUM_KEY_ID, time: 1234 }],
    });
  });

  it('signs "cosignature/v1", the time line, then the body', () => {
    expect(cosignatureMessage(SIGSUM_BODY, 1234).toString()).toBe(
      `cosignature/v1\ntime 1234\n${SIGSUM_BODY}`,
    );
  });
});

describe('witness keys', () => {
  it('round-trips generated keys in the sumdb/note encoding with type 0x04', () => {
    const verifier = parseWitnessVerifierKey(witnessKeys.verifierKey);
    expect(witness.verifier.verifierKey).toBe(witnessKeys.verifierKey);
    expect(verifier.name).toBe('witness.example/w1');
    const { id, key } = keyFields(witnessKeys.verifierKey);
    expect(id).toBe(formatKeyId(verifier.keyId));
    expect(Buffer.from(key, 'base64')[0]).toBe(0x04);
    expect(witnessKeys.signerKey.startsWith('PRIVATE+KEY+witness.example/w1+')).toBe(true);
  });

  it('refuses log (0x01) keys, wrong key IDs and bad names', () => {
    expect(() => parseWitnessVerifierKey(log.verifier.verifierKey)).toThrow(MalformedKeyError);
    const { name, id, key } = keyFields(witnessKeys.verifierKey);
    const wrongId = formatKeyId((Number.parseInt(id, 16) ^ 1) >>> 0);
    expect(() => parseWitnessVerifierKey(`${name}+${wrongId}+${key}`)).toThrow(/does not match/);
    expect(() => parseWitnessSignerKey(witnessKeys.verifierKey)).toThrow(MalformedKeyError);
    expect(() => generateWitnessKey('has space')).toThrow(MalformedKeyError);
    expect(() => encodeWitnessVerifierKey('w', Buffer.alloc(31))).toThrow(MalformedKeyError);
  });

  it('never shares a key ID with the same key used as a log key', () => {
    const raw = Buffer.alloc(32, 7);
    const typed01 = createHash('sha256')
      .update('w\n')
      .update(Buffer.from([1]))
      .update(raw)
      .digest();
    expect(cosignatureKeyId('w', raw)).not.toBe(typed01.readUInt32BE(0));
  });
});

describe('cosign and verifyCosignatures', () => {
  const line = cosign(body, witness, 1_700_000_000);

  it('verifies a fresh cosignature next to the log signature, which openNote still accepts', () => {
    const note = noteWith(line);
    expect(verifyCosignatures(note, [witnessKeys.verifierKey]).verified).toEqual([
      { name: 'witness.example/w1', keyId: witness.keyId, time: 1_700_000_000 },
    ]);
    // The log's verifier does not know the witness key: the cosignature is ignored, not an error.
    expect(openNote(note, [log.verifier]).verifiedBy).toEqual([{ name: log.name, keyId: log.keyId }]);
  });

  it('accepts parsed verifiers and bytes', () => {
    const note = Buffer.from(noteWith(line));
    expect(verifyCosignatures(note, [witness.verifier]).verified).toHaveLength(1);
  });

  it('ignores unknown witnesses and the log signature', () => {
    const note = noteWith(cosign(body, otherWitness, 5));
    expect(verifyCosignatures(note, [witnessKeys.verifierKey]).verified).toEqual([]);
    expect(verifyCosignatures(signNote(body, log), [witnessKeys.verifierKey]).verified).toEqual([]);
  });

  it('verifies several witnesses in note order', () => {
    const note = noteWith(cosign(body, otherWitness, 7), line);
    const result = verifyCosignatures(note, [witness.verifier, otherWitness.verifier]);
    expect(result.verified.map((v) => [v.name, v.time])).toEqual([
      ['witness.example/w2', 7],
      ['witness.example/w1', 1_700_000_000],
    ]);
  });

  it.each([
    ['the timestamp', 11],
    ['the signature', 40],
  ])('rejects a known witness line with a changed byte in %s', (_what, index) => {
    expect(() => verifyCosignatures(noteWith(tamper(line, index)), [witnessKeys.verifierKey])).toThrow(
      InvalidSignatureError,
    );
  });

  it('rejects a cosignature moved to another checkpoint', () => {
    const other = formatCheckpoint({ origin: 'custos.example/custos/audit/org-1', size: 43, rootHash: root });
    const moved = addCosignatures(signNote(other, log), [line]);
    expect(() => verifyCosignatures(moved, [witnessKeys.verifierKey])).toThrow(InvalidSignatureError);
  });

  it('rejects a plain note signature (no cosignature/v1 header, no timestamp) under the witness identity', () => {
    const plain = signNote(body, {
      ...log,
      name: witness.name,
      keyId: witness.keyId,
      privateKey: witness.privateKey,
    });
    expect(() => verifyCosignatures(plain, [witnessKeys.verifierKey])).toThrow(InvalidSignatureError);
  });

  it('rejects timestamps a number cannot hold', () => {
    const blob = Buffer.from(line.trimEnd().split(' ')[2] ?? '', 'base64');
    blob.writeBigUInt64BE(2n ** 63n - 1n, 4);
    const huge = `— ${witness.name} ${blob.toString('base64')}\n`;
    expect(() => verifyCosignatures(noteWith(huge), [witnessKeys.verifierKey])).toThrow(
      InvalidSignatureError,
    );
  });

  it('refuses to attribute a line when two different keys share a name and ID', () => {
    const impostor = { ...otherWitness.verifier, name: witness.name, keyId: witness.keyId };
    expect(() => verifyCosignatures(noteWith(line), [witness.verifier, impostor])).toThrow(AmbiguousKeyError);
  });

  it('refuses malformed notes', () => {
    expect(() => verifyCosignatures(body, [witnessKeys.verifierKey])).toThrow(MalformedNoteError);
    expect(() => verifyCosignatures(`${body}\n— x\n`, [witnessKeys.verifierKey])).toThrow(MalformedNoteError);
    expect(() => verifyCosignatures(Buffer.from([0xff, 0x0a, 0x0a]), [])).toThrow(MalformedNoteError);
  });

  it('only cosigns checkpoints, at sane times', () => {
    expect(() => cosign('hello\n', witness, 1)).toThrow(MalformedCheckpointError);
    expect(() => cosign(body, witness, -1)).toThrow(RangeError);
    expect(() => cosign(body, witness, 1.5)).toThrow(RangeError);
  });
});

describe('addCosignatures', () => {
  const line = cosign(body, witness, 100);

  it('appends lines, with or without their newline, keeping the note format', () => {
    const note = addCosignatures(signNote(body, log), [line.trimEnd(), cosign(body, otherWitness, 1)]);
    expect(note.startsWith(`${body}\n— ${log.name} `)).toBe(true);
    expect(note.split('\n— ')).toHaveLength(4);
    expect(note.endsWith('\n')).toBe(true);
    expect(openNote(note, [log.verifier]).body).toBe(body);
  });

  it('keeps the line already there when a key signs again', () => {
    const once = addCosignatures(signNote(body, log), [line]);
    const twice = addCosignatures(once, [cosign(body, witness, 200), line]);
    expect(twice).toBe(once);
    expect(verifyCosignatures(twice, [witness.verifier]).verified[0]?.time).toBe(100);
  });

  it('refuses malformed lines and too many signatures', () => {
    expect(() => addCosignatures(signNote(body, log), ['not a line'])).toThrow(MalformedNoteError);
    expect(() => addCosignatures(signNote(body, log), [`${line}${line}`])).toThrow(MalformedNoteError);
    const many = Array.from({ length: 100 }, (_, i) =>
      cosign(body, parseWitnessSignerKey(generateWitnessKey(`w${i}`).signerKey), 1),
    );
    expect(() => addCosignatures(signNote(body, log), many)).toThrow(/more than 100/);
  });
});

describe('parseSignatureLines', () => {
  it('splits a response body into newline-terminated lines', () => {
    const a = cosign(body, witness, 1);
    const b = cosign(body, otherWitness, 2);
    expect(parseSignatureLines(`${a}${b}`)).toEqual([a, b]);
  });

  it('refuses anything else', () => {
    expect(() => parseSignatureLines('')).toThrow(MalformedNoteError);
    expect(() => parseSignatureLines(cosign(body, witness, 1).trimEnd())).toThrow(MalformedNoteError);
    expect(() => parseSignatureLines('old 3\n')).toThrow(MalformedNoteError);
  });
});

describe('compatibility with signed-note verifier parsing', () => {
  it('a witness vkey is not a log vkey and vice versa', () => {
    expect(() => parseVerifierKey(witnessKeys.verifierKey)).toThrow(MalformedKeyError);
  });
});
