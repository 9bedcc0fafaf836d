/**
 * The witness's memory: for each log origin, the size and root hash of the latest checkpoint it
 * cosigned. This file is the whole of the witness's security: lose it or roll it back and the
 * witness could cosign a fork. So it is replaced atomically (temp file, fsync, rename, fsync of
 * the directory), a file that cannot be read stops the witness instead of starting it afresh, and
 * the in-memory view changes only once the new file is durable.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export interface LogRecord {
  size: number;
  rootHash: Buffer;
}

const STATE_FORMAT = 'custos.witness.state/v1';

const StateFile = z.object({
  format: z.literal(STATE_FORMAT),
  logs: z.record(
    z.string().min(1),
    z.object({
      size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      rootHash: z.base64().refine((value) => Buffer.from(value, 'base64').length === 32, '32-byte hash'),
    }),
  ),
});

/** The state file exists but is not one we wrote: refuse to guess. */
export class WitnessStateError extends Error {
  override name = 'WitnessStateError';
}

export class WitnessState {
  #logs: ReadonlyMap<string, LogRecord>;
  /** Writes run one at a time, each from the last durable state, so none can undo another. */
  #writes: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    logs: ReadonlyMap<string, LogRecord>,
  ) {
    this.#logs = logs;
  }

  /** Loads the state file; a missing file is an empty state (nothing cosigned yet). */
  static async open(file: string): Promise<WitnessState> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new WitnessState(file, new Map());
      throw error;
    }
    let parsed: z.infer<typeof StateFile>;
    try {
      parsed = StateFile.parse(JSON.parse(text));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new WitnessStateError(`${file} is not a ${STATE_FORMAT} file: ${reason}`);
    }
    const logs = new Map(
      Object.entries(parsed.logs).map(([origin, log]) => [
        origin,
        { size: log.size, rootHash: Buffer.from(log.rootHash, 'base64') },
      ]),
    );
    return new WitnessState(file, logs);
  }

  get(origin: string): LogRecord | undefined {
    return this.#logs.get(origin);
  }

  /** Records a log's new checkpoint; resolves once it is on disk. */
  record(origin: string, log: LogRecord): Promise<void> {
    const write = this.#writes.then(async () => {
      const next = new Map(this.#logs);
      next.set(origin, { size: log.size, rootHash: Buffer.from(log.rootHash) });
      await writeAtomically(this.file, serialize(next));
      this.#logs = next;
    });
    this.#writes = write.catch(() => {});
    return write;
  }
}

function serialize(logs: ReadonlyMap<string, LogRecord>): string {
  const entries = [...logs].map(([origin, log]) => [
    origin,
    { size: log.size, rootHash: log.rootHash.toString('base64') },
  ]);
  return `${JSON.stringify({ format: STATE_FORMAT, logs: Object.fromEntries(entries) }, null, 2)}\n`;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fs.rename(temp, file);
  await syncDirectory(dir);
}

/** Makes the rename itself durable. Windows cannot open a directory for fsync; it has no need to. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
