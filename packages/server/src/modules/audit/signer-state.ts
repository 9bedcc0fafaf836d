import fs from 'node:fs';
import path from 'node:path';
import { type NoteVerifier, openCheckpoint, SignedNoteError } from '../../platform/crypto/signed-note';

/** The last checkpoint the signer signed for a log: what every later head must extend. */
export interface SignedHead {
  origin: string;
  size: number;
  root: Buffer;
  /** The signed note itself, so the file is proof on its own and can be handed to a verifier. */
  note: string;
}

/** The state file could not be read back as a note signed by our own key. */
export class SignerStateError extends Error {}

/**
 * The signer's memory, kept outside the database (beside the signing key by default): one file per
 * log holding the last checkpoint note it signed. A database writer can neither read nor change
 * it, so the signer can refuse to sign a head that does not extend it. Each file is replaced
 * atomically (write, fsync, rename); a crash leaves the old note or the new one, never half.
 *
 * Several server processes may share the directory: each keeps its own cache, and a stale cache
 * only means comparing against an older signed head, which the new one must extend too.
 */
export class SignerState {
  readonly #cache = new Map<string, SignedHead | null>();

  constructor(
    readonly dir: string,
    private readonly verifiers: readonly NoteVerifier[],
  ) {}

  /** The last head signed for `logId`, or null when this signer never signed one. */
  last(logId: string): SignedHead | null {
    const cached = this.#cache.get(logId);
    if (cached !== undefined) return cached;
    const head = this.#read(logId);
    this.#cache.set(logId, head);
    return head;
  }

  /** Remembers a newly signed head; never moves backwards (another process may have gone further). */
  remember(logId: string, head: SignedHead): void {
    const current = this.#read(logId);
    if (current && current.size > head.size) {
      this.#cache.set(logId, current);
      return;
    }
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(logId);
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const fd = fs.openSync(temp, 'w', 0o600);
    try {
      fs.writeSync(fd, head.note);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
    this.#cache.set(logId, head);
  }

  /** Drops the cache so the next read sees what other processes wrote. */
  refresh(logId: string): void {
    this.#cache.delete(logId);
  }

  #read(logId: string): SignedHead | null {
    let note: string;
    try {
      note = fs.readFileSync(this.#file(logId), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const { checkpoint } = openCheckpoint(note, this.verifiers);
      return { origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.rootHash, note };
    } catch (error) {
      if (!(error instanceof SignedNoteError)) throw error;
      throw new SignerStateError(
        `the signer's state file ${this.#file(logId)} is not a checkpoint signed by this key: ${error.message}`,
      );
    }
  }

  #file(logId: string): string {
    // Organization ids are plain; anything else is hex-encoded so it can never leave the directory.
    const name = /^[A-Za-z0-9_-]{1,128}$/.test(logId) ? logId : `x${Buffer.from(logId).toString('hex')}`;
    return path.join(this.dir, `${name}.checkpoint`);
  }
}
