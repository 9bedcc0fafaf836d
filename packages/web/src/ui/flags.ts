/**
 * Country flags (flag-icons, MIT) as separate SVG files: Vite copies each into the build as a hashed
 * asset and only this code → URL table reaches the bundle, so a page loads just the flags it shows.
 * `no-inline` keeps Vite from turning small flags into data URLs inside the main chunk. The path
 * points at the workspace's hoisted node_modules (globs take no package names); flags.test.ts fails
 * if it ever matches nothing.
 */
const files = import.meta.glob<string>('./??.svg', {
  // Keys relative to the flag folder ("./de.svg"): the table stays a few KB in the main chunk.
  base: '../../../../node_modules/flag-icons/flags/4x3',
  query: '?url&no-inline',
  import: 'default',
  eager: true,
});

const byCode = new Map<string, string>(
  Object.entries(files).map(([path, url]) => [path.slice(-6, -4).toUpperCase(), url]),
);

/** The flag image's URL for an ISO 3166-1 alpha-2 code, if there is one. */
export function flagUrl(code: string): string | undefined {
  return byCode.get(code.toUpperCase());
}
