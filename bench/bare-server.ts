/**
 * Baseline server of the ingestion benchmarks, in a process of its own: bare Fastify routes that
 * parse the JSON body and answer with a made-up receipt, as fast as this machine serves HTTP.
 * Prints one JSON line ({ url }) once it listens.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const bare = Fastify({ logger: false, bodyLimit: 16 * 1_048_576 });
let seq = 0;
const receipt = () => ({ id: randomUUID(), seq: ++seq, leafHash: 'f'.repeat(64) });
bare.post('/events', async (_req, reply) => reply.status(201).send({ receipt: receipt() }));
bare.post('/events/batch', async (req, reply) => {
  const { events } = req.body as { events: unknown[] };
  return reply.status(201).send({ receipts: events.map(receipt) });
});
const url = await bare.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', async () => {
  await bare.close();
  process.exit(0);
});
