import { Group, Text, type TextProps } from '@mantine/core';
import { flagUrl } from './flags';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** "Germany" for "DE"; the code itself when the browser does not know it. */
export function countryName(code: string): string {
  try {
    return regionNames.of(code.toUpperCase()) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

/** A country's flag, decorative: the name beside it is what assistive technology reads. */
export function Flag({ code, height = 12 }: { code: string; height?: number }) {
  const url = flagUrl(code);
  if (!url) return null;
  return (
    <img
      src={url}
      alt=""
      aria-hidden
      width={Math.round((height * 4) / 3)}
      height={height}
      loading="lazy"
      style={{ flex: 'none', borderRadius: 2, boxShadow: '0 0 0 1px var(--mantine-color-default-border)' }}
    />
  );
}

interface CountryProps extends Pick<TextProps, 'size' | 'c' | 'fw'> {
  /** ISO 3166-1 alpha-2 code. */
  code: string;
}

/** A country as its flag and English name, e.g. for sessions, threats and sign-in origins. */
export function Country({ code, size = 'sm', c, fw }: CountryProps) {
  return (
    <Group gap={6} wrap="nowrap" component="span" data-country={code.toUpperCase()}>
      <Flag code={code} height={size === 'xs' ? 10 : 12} />
      <Text component="span" size={size} c={c} fw={fw}>
        {countryName(code)}
      </Text>
    </Group>
  );
}
