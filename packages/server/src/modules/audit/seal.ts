import { type AuditEventOut, ERASED } from '@custos/shared';
import { type DataKey, isSealed, open, seal, sealedKeyId } from '../../platform/crypto/keyring';
import type { AuditActor, AuditChanges, AuditEventBody } from './event';

/**
 * Personal data in audit events: the actor's (and impersonator's) name, e-mail and IP, and metadata
 * or changed fields flagged as personal, are sealed under the data subject's key *before* hashing.
 * Destroying the key erases them; the sealed bytes, and so every proof, stay as they were.
 */

/** An event before it has a place in the log (no seq yet) and before sealing. */
export interface AuditDraft extends Omit<AuditEventBody, 'seq'> {
  /** `metadata.<key>`-style keys (bare metadata keys, or `changes.<field>`) to seal. */
  personal: string[];
  /** Subject whose key seals the flagged fields; defaults to the actor's subject. */
  subjectRef: string | null;
}

/** The reference naming whose data an actor's personal fields are. */
export function actorSubjectRef(actor: AuditActor): string | null {
  if (actor.id) return `${actor.type}:${actor.id}`;
  if (actor.email) return `email:${actor.email.toLowerCase()}`;
  if (actor.name || actor.ip) return 'anonymous';
  return null;
}

/** Every subject reference a draft needs a data key for. */
export function subjectRefsOf(draft: AuditDraft): string[] {
  const refs: string[] = [];
  const actorRef = actorSubjectRef(draft.actor);
  if (actorRef) refs.push(actorRef);
  if (draft.impersonator) {
    const ref = actorSubjectRef(draft.impersonator);
    if (ref) refs.push(ref);
  }
  if (draft.personal.length > 0) refs.push(draft.subjectRef ?? actorRef ?? 'anonymous');
  return refs;
}

type KeyFor = (subjectRef: string) => DataKey;

/** The draft with every personal field sealed; the plaintext never reaches the hashed body. */
export function sealDraft(draft: AuditDraft, keyFor: KeyFor): Omit<AuditEventBody, 'seq'> {
  const { personal, subjectRef, ...body } = draft;
  const context = (path: string) => `${draft.id}|${path}`;
  const sealActor = (actor: AuditActor, prefix: string): AuditActor => {
    const ref = actorSubjectRef(actor);
    if (!ref) return actor;
    const key = keyFor(ref);
    const sealed = (value: string | null | undefined, field: string) =>
      value ? seal(key, value, context(`${prefix}.${field}`)) : (value ?? null);
    return {
      ...actor,
      name: sealed(actor.name, 'name'),
      ip: sealed(actor.ip, 'ip'),
      ...(actor.email !== undefined ? { email: sealed(actor.email, 'email') } : {}),
    };
  };
  let metadata = body.metadata;
  let changes = body.changes;
  if (personal.length > 0) {
    const key = keyFor(subjectRef ?? actorSubjectRef(draft.actor) ?? 'anonymous');
    const sealValue = (value: unknown, path: string) => seal(key, JSON.stringify(value), context(path));
    metadata = metadata ? { ...metadata } : null;
    changes = changes ? { ...changes } : null;
    for (const field of personal) {
      if (field.startsWith('changes.') && changes) {
        const name = field.slice('changes.'.length);
        const pair = changes[name];
        if (pair) changes[name] = [sealValue(pair[0], `${field}.0`), sealValue(pair[1], `${field}.1`)];
      } else if (metadata && field in metadata) {
        metadata[field] = sealValue(metadata[field], `metadata.${field}`);
      }
    }
  }
  return {
    ...body,
    actor: sealActor(body.actor, 'actor'),
    impersonator: body.impersonator ? sealActor(body.impersonator, 'impersonator') : null,
    metadata,
    changes,
  };
}

/** Key ids a stored body needs to be read in full. */
export function sealedKeyIds(body: AuditEventBody): string[] {
  const ids: string[] = [];
  walkSealed(body, (value) => {
    ids.push(sealedKeyId(value));
    return value;
  });
  return ids;
}

/** The stored body as the API shows it: sealed fields opened, or `[erased]` when their key is gone. */
export function presentEvent(
  body: AuditEventBody,
  leafHash: string,
  keys: Map<string, Buffer>,
): AuditEventOut {
  const erased: string[] = [];
  const opened = walkSealed(structuredClone(body), (value, path, json) => {
    const plain = open(keys.get(sealedKeyId(value)), value, `${body.id}|${path}`);
    if (plain === null) {
      erased.push(path.replace(/\.[01]$/, ''));
      return ERASED;
    }
    return json ? JSON.parse(plain) : plain;
  });
  return {
    ...opened,
    actor: { ...opened.actor, email: opened.actor.email ?? null },
    leafHash,
    erased: [...new Set(erased)],
    purged: false,
    integrity: 'intact',
  };
}

type Visit = (sealed: string, path: string, json: boolean) => unknown;

/** Calls `visit` on every sealed value of a body (in place) and returns the body. */
function walkSealed(body: AuditEventBody, visit: Visit): AuditEventBody {
  const actor = (a: AuditActor, prefix: string) => {
    for (const field of ['name', 'email', 'ip'] as const) {
      const value = a[field];
      if (isSealed(value)) a[field] = visit(value, `${prefix}.${field}`, false) as string;
    }
  };
  actor(body.actor, 'actor');
  if (body.impersonator) actor(body.impersonator, 'impersonator');
  const metadata = body.metadata;
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (isSealed(v)) metadata[k] = visit(v, `metadata.${k}`, true);
    }
  }
  const changes: AuditChanges | null = body.changes;
  if (changes) {
    for (const [k, pair] of Object.entries(changes)) {
      pair.forEach((v, i) => {
        if (isSealed(v)) pair[i] = visit(v, `changes.${k}.${i}`, true);
      });
    }
  }
  return body;
}
