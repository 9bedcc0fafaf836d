import fs from 'node:fs';
import path from 'node:path';

/**
 * A secret from configuration, else from a file in the data directory, created (mode 0600) on first
 * start. The file is written exclusively so two processes starting together cannot each make one.
 */
export function configuredOrFileSecret(
  configured: string | null,
  dataDir: string,
  fileName: string,
  generate: () => string,
): string {
  if (configured) return configured;
  const file = path.join(dataDir, fileName);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
