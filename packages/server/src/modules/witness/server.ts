/**
 * The witness over HTTP: `POST /add-checkpoint` as C2SP tlog-witness defines it, nothing else.
 * A separate Fastify instance from the Custos app: the witness is meant to run elsewhere, under
 * someone else's control, with its own key and its own state.
 */
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  type CosignatureSigner,
  generateWitnessKey,
  parseWitnessSignerKey,
} from '../../platform/crypto/cosignature';
import { configuredOrFileSecret } from '../../platform/crypto/key-files';
import type { AcceptedLog } from './logs';
import { ADD_CHECKPOINT_PATH, MAX_REQUEST_BYTES } from './protocol';
import { WitnessState } from './state';
import { Witness } from './witness';

/** The Fastify app around a witness; `app.inject` or `listen` it. */
export function buildWitnessServer(witness: Witness, logger?: FastifyBaseLogger): FastifyInstance {
  const app = logger
    ? Fastify({ loggerInstance: logger, bodyLimit: MAX_REQUEST_BYTES })
    : Fastify({ logger: false, bodyLimit: MAX_REQUEST_BYTES });
  // The body is a text format of its own; take it as bytes whatever the client calls it (the spec
  // names no request content type), so the note's signed bytes reach the verifier untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(ADD_CHECKPOINT_PATH, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const result = await witness.addCheckpoint(body);
    return reply.code(result.status).type(result.contentType).send(result.body);
  });
  return app;
}

/**
 * Loads the witness key from `keyFile`, creating it (mode 0600, named `name`) on first start, the
 * way Custos creates its own secrets.
 */
export function loadWitnessKey(keyFile: string, name: string): CosignatureSigner {
  const absolute = path.resolve(keyFile);
  const encoded = configuredOrFileSecret(null, path.dirname(absolute), path.basename(absolute), () => {
    return generateWitnessKey(name).signerKey;
  });
  return parseWitnessSignerKey(encoded);
}

export interface WitnessServerOptions {
  signer: CosignatureSigner;
  stateFile: string;
  logs: readonly AcceptedLog[];
  port?: number;
  host?: string;
  logger?: FastifyBaseLogger;
  now?: () => number;
}

export interface RunningWitness {
  app: FastifyInstance;
  /** The submission prefix, e.g. `http://127.0.0.1:7380`: POST `${url}/add-checkpoint`. */
  url: string;
  verifierKey: string;
  close(): Promise<void>;
}

/** Opens the state, then listens. */
export async function startWitnessServer(options: WitnessServerOptions): Promise<RunningWitness> {
  const { signer } = options;
  const state = await WitnessState.open(options.stateFile);
  const witness = new Witness({ signer, logs: options.logs, state, now: options.now, log: options.logger });
  const app = buildWitnessServer(witness, options.logger);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    app,
    url: `http://${urlHost}:${port}`,
    verifierKey: witness.verifierKey,
    close: () => app.close(),
  };
}
