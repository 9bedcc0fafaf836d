import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { nowIso } from '../../platform/clock';
import { SignedNoteError } from '../../platform/crypto/signed-note';
import type { DB } from '../../platform/db/schema';
import * as cpStore from './checkpoints-store';
import { type IntegrityAlarms, moveAsideAndAlarm } from './integrity';
import { consistencyProof, rootFromFrontier, verifyConsistency } from './merkle';
import type { Quarantine } from './quarantine';
import { hasEventPastHead } from './quarantine-store';
import { type SignedHead, type SignerState, SignerStateError } from './signer-state';
import * as store from './store';

/** Signs checkpoint bodies as C2SP signed notes. */
export interface CheckpointSigner {
  keyName: string;
  /** `<name>+<hex id>+<base64 key>`: what verifiers are given. */
  verifierKey: string;
  keyId: string;
  sign(body: string): string;
  /** The checkpoint body (origin, size, base64 root) of the C2SP tlog-checkpoint format. */
  body(origin: string, size: number, root: Buffer): string;
  /** Opens a note signed by this key; throws SignedNoteError otherwise. */
  open(note: string): { origin: string; size: number; root: Buffer };
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: string;
  /** The signed note, with any witness co-signatures appended. */
  note: string;
  createdAt: string;
}

export interface CheckpointsDeps {
  db: Kysely<DB>;
  signer: CheckpointSigner;
  state: SignerState;
  alarms: IntegrityAlarms;
  quarantine: Quarantine;
  publicUrl: string;
  log: Logger;
  /** Told of every newly signed checkpoint (witnesses, alert channels). */
  onSigned?: (logId: string, checkpoint: Checkpoint) => void;
}

interface Head {
  size: number;
  root: Buffer;
  checkpointedSize: number;
  origin: string | null;
}

/**
 * Checkpoints: a signed statement of a log's size and root. The signer signs a head only when it
 * extends the last head it signed — remembered outside the database (signer-state.ts) and proven
 * with a consistency proof from the stored tree — so a database writer who rewrites, renumbers or
 * rolls back the history gets an alarm, never a signature over the forgery.
 */
export function createCheckpoints(deps: CheckpointsDeps) {
  const { db, signer, state, alarms, log } = deps;
  const host = new URL(deps.publicUrl).host;
  const origins = new Map<string, string>();

  async function readHead(logId: string): Promise<Head | null> {
    const row = await cpStore.headRow(db, logId);
    if (!row) return null;
    const size = Number(row.size);
    const frontier = store.frontierOf(size, JSON.parse(row.frontier) as string[]);
    return {
      size,
      root: rootFromFrontier(frontier),
      checkpointedSize: Number(row.checkpointedSize),
      origin: row.origin,
    };
  }

  /**
   * The log's name, fixed at its first checkpoint: what the signer signed before wins, then the
   * stored origin, then the newest stored checkpoint's own (logs from before origins were stored),
   * and only for a new log the current public URL. A later change of URL changes nothing.
   */
  async function originOf(logId: string, head: Head | null): Promise<string> {
    const known = origins.get(logId) ?? rememberedOrigin(logId) ?? head?.origin;
    if (known) {
      origins.set(logId, known);
      if (head && head.origin !== known) await storeOrigin(logId, known);
      return known;
    }
    const origin = (await latestStored(logId))?.origin ?? `${host}/custos/audit/${logId}`;
    await storeOrigin(logId, origin);
    origins.set(logId, origin);
    return origin;
  }

  /** The origin the signer signed for, unless its memory is unreadable (then the alarm says so). */
  function rememberedOrigin(logId: string): string | undefined {
    try {
      return lastSigned(logId)?.origin;
    } catch (error) {
      if (error instanceof SignerStateError) return undefined;
      throw error;
    }
  }

  async function storeOrigin(logId: string, origin: string): Promise<void> {
    await cpStore.setOrigin(db, logId, origin);
  }

  /** The signer's last signed head; for a log it has no memory of, the newest checkpoint it can open. */
  function lastSigned(logId: string): SignedHead | null {
    return state.last(logId);
  }

  async function adoptedFromDatabase(logId: string): Promise<SignedHead | null> {
    const row = await latestStored(logId);
    if (!row) return null;
    try {
      const opened = signer.open(row.note);
      return { ...opened, note: row.note };
    } catch (error) {
      if (error instanceof SignedNoteError) return null;
      throw error;
    }
  }

  /**
   * Whether the database's head extends `last`; a description of the break otherwise. Nodes are
   * only ever added, so a proof read while appends go on stays valid for the head read before.
   */
  async function breakFrom(logId: string, last: SignedHead, head: Head): Promise<string | null> {
    if (head.size < last.size) {
      return `the log holds ${head.size} events, fewer than the ${last.size} of the last checkpoint Custos signed`;
    }
    if (head.size === last.size) {
      return head.root.equals(last.root)
        ? null
        : `the tree of ${head.size} events hashes to another root than the checkpoint Custos signed at that size`;
    }
    try {
      const proof = await consistencyProof(last.size, head.size, (nodes) =>
        store.readNodes(db, logId, [...nodes]),
      );
      if (verifyConsistency(last.size, head.size, proof, last.root, head.root)) return null;
    } catch (error) {
      log.warn({ err: error, logId }, 'audit tree nodes missing for a consistency proof');
    }
    return `the tree of ${head.size} events is not an extension of the checkpoint Custos signed at size ${last.size}`;
  }

  /** Checks the head against the signer's memory; raises or clears the log's alarm. True when sound. */
  async function checkHead(logId: string, head: Head): Promise<{ ok: boolean; last: SignedHead | null }> {
    let last: SignedHead | null;
    try {
      last = lastSigned(logId) ?? (await adoptedFromDatabase(logId));
    } catch (error) {
      if (!(error instanceof SignerStateError)) throw error;
      // The file's path is for the operator's log, not for organization admins.
      log.error({ err: error, logId }, 'audit signer memory unreadable');
      alarms.raise({
        logId,
        kind: 'signer_state_unreadable',
        message:
          "The signer's memory of this log (its last signed checkpoint, kept beside the signing key) is not a " +
          'checkpoint signed by its key: someone changed it. Custos signs nothing for this log until the file is ' +
          'restored from a backup (the server log names it).',
        signedSize: null,
        headSize: head.size,
        seq: null,
      });
      return { ok: false, last: null };
    }
    const broken = last ? await breakFrom(logId, last, head) : null;
    if (last && broken) {
      const rolledBack = head.size < last.size;
      alarms.raise({
        logId,
        kind: rolledBack ? 'rolled_back' : 'rewritten',
        message:
          `The audit log's history in the database was changed: ${broken}. Custos signs nothing for this log ` +
          'until its history extends that checkpoint again (restore the database from a backup taken before ' +
          'the change). Find what changed with custos audit verify --checkpoint and that checkpoint (the file ' +
          `${logId}.checkpoint in the signer's state directory, CUSTOS_AUDIT_SIGNER_STATE_DIR).`,
        signedSize: last.size,
        headSize: head.size,
        seq: rolledBack ? head.size + 1 : null,
      });
      return { ok: false, last };
    }
    alarms.clearHistory(logId);
    return { ok: true, last };
  }

  /** A row past the head would block the next append: move it aside now (alarm); end the alarm once none is left. */
  async function checkRoomAfter(logId: string, size: number): Promise<void> {
    if (await hasEventPastHead(db, logId, size)) await moveAsideAndAlarm(deps.quarantine, alarms, logId);
    else alarms.clear(logId, 'inserted_row');
  }

  async function signHead(logId: string): Promise<Checkpoint | null> {
    const head = await readHead(logId);
    if (!head || head.size === 0) return null;
    const { ok, last } = await checkHead(logId, head);
    if (!ok) return null;
    if (last && last.size === head.size) return (await stored(logId, last.size)) ?? restore(logId, last);
    if (!last && head.checkpointedSize >= head.size) return latestStored(logId);
    const origin = await originOf(logId, head);
    const note = signer.sign(signer.body(origin, head.size, head.root));
    // Remembered before it is stored: the signer never signs a head it could later forget.
    state.remember(logId, { origin, size: head.size, root: head.root, note });
    const checkpoint: Checkpoint = {
      origin,
      treeSize: head.size,
      rootHash: head.root.toString('hex'),
      note,
      createdAt: nowIso(),
    };
    await insertCheckpoint(logId, checkpoint);
    deps.onSigned?.(logId, checkpoint);
    return checkpoint;
  }

  /** The signer's last checkpoint is missing from the database (deleted): store it again. */
  async function restore(logId: string, last: SignedHead): Promise<Checkpoint> {
    const checkpoint: Checkpoint = {
      origin: last.origin,
      treeSize: last.size,
      rootHash: last.root.toString('hex'),
      note: last.note,
      createdAt: nowIso(),
    };
    await insertCheckpoint(logId, checkpoint);
    return checkpoint;
  }

  async function insertCheckpoint(logId: string, checkpoint: Checkpoint): Promise<void> {
    const { treeSize, rootHash, note, createdAt } = checkpoint;
    await db
      .transaction()
      .execute((trx) => cpStore.insertCheckpoint(trx, logId, { treeSize, rootHash, note, createdAt }));
  }

  async function stored(logId: string, treeSize: number): Promise<Checkpoint | null> {
    const row = await cpStore.checkpointAt(db, logId, treeSize);
    return row ? toCheckpoint(row) : null;
  }

  /** The newest stored checkpoint (of at most `maxSize` events, when given). */
  async function latestStored(logId: string, maxSize = Number.MAX_SAFE_INTEGER): Promise<Checkpoint | null> {
    const row = await cpStore.latestCheckpoint(db, logId, maxSize);
    return row ? toCheckpoint(row) : null;
  }

  return {
    /** The log's fixed origin (stored at its first checkpoint). */
    originOf: async (logId: string) => originOf(logId, await readHead(logId)),
    latest: latestStored,
    /** A checkpoint covering everything appended so far (signed now if the job has not yet); null when refused. */
    current: signHead,
    /** Checks a log against the signer's memory without signing; the alarm (or null) that results. */
    async check(logId: string) {
      const head = await readHead(logId);
      if (head) await checkHead(logId, head);
      return alarms.ofLog(logId);
    },
    /** Checks every log the signer remembers (at start and every few minutes): a rollback does not grow. */
    async checkAll(): Promise<number> {
      let checked = 0;
      for (let after = ''; ; ) {
        const logIds = await cpStore.logIdsAfter(db, after, 500);
        for (const logId of logIds) {
          state.refresh(logId);
          const head = await readHead(logId);
          if (head && head.size > 0) await checkHead(logId, head);
          await checkRoomAfter(logId, head?.size ?? 0);
          checked += 1;
        }
        if (logIds.length < 500) return checked;
        after = logIds.at(-1) ?? after;
      }
    },
    async list(logId: string, afterSize: number, limit: number): Promise<Checkpoint[]> {
      return (await cpStore.checkpointsAfter(db, logId, afterSize, limit)).map(toCheckpoint);
    },
    atSize: stored,
    /** Adds witness co-signature lines to a stored checkpoint (kept apart, served in its note). */
    async addCosignatures(logId: string, treeSize: number, lines: string[]): Promise<void> {
      await db.transaction().execute((trx) => cpStore.addCosignatures(trx, logId, treeSize, lines));
    },
    /** One pass of the job: a checkpoint for every log that grew. Returns how many were looked at. */
    async signGrownLogs(): Promise<number> {
      const grown = await cpStore.grownLogIds(db, 1000);
      for (const logId of grown) await signHead(logId);
      return grown.length;
    },
  };
}

/** A stored row as served: the origin is the note's own first line, co-signatures appended to the note. */
function toCheckpoint(row: cpStore.CheckpointRow): Checkpoint {
  return {
    origin: row.note.slice(0, row.note.indexOf('\n')),
    treeSize: Number(row.treeSize),
    rootHash: row.rootHash,
    note: noteWithCosignatures(row.note, row.cosignatures),
    createdAt: row.createdAt,
  };
}

/** The signed note as served: the witnesses' co-signature lines (stored apart) appended. */
export function noteWithCosignatures(note: string, cosignatures: string | null): string {
  const lines = cosignatures ? (JSON.parse(cosignatures) as string[]) : [];
  return lines.length > 0 ? note + lines.map((l) => `${l}\n`).join('') : note;
}

export type Checkpoints = ReturnType<typeof createCheckpoints>;
