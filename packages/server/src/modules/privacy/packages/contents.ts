import { PACKAGE_SIGNATURE_FORMAT } from '@custos/shared';
import { zipSync } from 'fflate';
import { safeName, toCsvFiles } from './csv';
import { type DigestSigner, sha256Hex, signDigest } from './signing';

/** One system's opened access result. */
export interface SystemResult {
  systemId: string;
  systemName: string;
  result: unknown;
}

export interface PackageHeader {
  organization: { id: string; name: string };
  request: { id: string; type: string; regime: string; receivedAt: string; completedAt: string | null };
  createdAt: string;
}

export interface BuiltPackage {
  zip: Uint8Array;
  sha256: string;
  manifest: Manifest;
}

export interface Manifest extends PackageHeader {
  format: typeof PACKAGE_SIGNATURE_FORMAT;
  files: { path: string; system: string | null; sizeBytes: number; sha256: string }[];
  signature: {
    algorithm: 'ed25519';
    keyName: string;
    keyId: string;
    file: 'manifest.sig';
    covers: 'manifest.json';
  };
}

const README = (header: PackageHeader) =>
  [
    `Your personal data held by ${header.organization.name}`,
    '',
    `Request ${header.request.id} (${header.request.type}), package made ${header.createdAt}.`,
    '',
    'Each folder is one system: data.json is exactly what the system returned; the CSV files hold the',
    'same data as tables (one per list, and fields.csv for single values).',
    '',
    'manifest.json lists every file with its SHA-256. manifest.sig is a signed note (c2sp.org/signed-note)',
    'by the key published at <Custos address>/.well-known/custos/audit-keys; its body is',
    `"${PACKAGE_SIGNATURE_FORMAT}" and "sha256:" followed by the SHA-256 of manifest.json.`,
    '',
  ].join('\n');

/**
 * The ZIP of an access or portability request: per system a folder with `data.json` and its CSVs,
 * a README, `manifest.json` (every other file's SHA-256) and `manifest.sig` (the manifest's digest
 * signed with the audit key). Deterministic for the same input (fixed file times).
 */
export function buildPackage(
  header: PackageHeader,
  results: SystemResult[],
  signer: DigestSigner,
): BuiltPackage {
  const encoder = new TextEncoder();
  const files = new Map<string, { bytes: Uint8Array; system: string | null }>();
  files.set('README.txt', { bytes: encoder.encode(README(header)), system: null });
  const folders = new Set<string>();
  for (const { systemId, systemName, result } of results) {
    let folder = safeName(systemName.toLowerCase());
    for (let n = 2; folders.has(folder); n++) folder = `${safeName(systemName.toLowerCase())}-${n}`;
    folders.add(folder);
    files.set(`${folder}/data.json`, {
      bytes: encoder.encode(
        `${JSON.stringify({ system: { id: systemId, name: systemName }, result }, null, 2)}\n`,
      ),
      system: systemId,
    });
    for (const csv of toCsvFiles(result)) {
      files.set(`${folder}/${csv.name}`, { bytes: encoder.encode(csv.text), system: systemId });
    }
  }
  const manifest: Manifest = {
    format: PACKAGE_SIGNATURE_FORMAT,
    ...header,
    files: [...files].map(([path, f]) => ({
      path,
      system: f.system,
      sizeBytes: f.bytes.byteLength,
      sha256: sha256Hex(f.bytes),
    })),
    signature: {
      algorithm: 'ed25519',
      keyName: signer.keyName,
      keyId: signer.keyId,
      file: 'manifest.sig',
      covers: 'manifest.json',
    },
  };
  const manifestBytes = encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const signature = signDigest(signer, PACKAGE_SIGNATURE_FORMAT, sha256Hex(manifestBytes));
  // Fixed times: the same data gives the same bytes (and hash).
  const mtime = new Date(header.createdAt);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const [path, f] of files) entries[path] = [f.bytes, { mtime }];
  entries['manifest.json'] = [manifestBytes, { mtime }];
  entries['manifest.sig'] = [encoder.encode(signature.note), { mtime }];
  const zip = zipSync(entries, { level: 6 });
  return { zip, sha256: sha256Hex(zip), manifest };
}
