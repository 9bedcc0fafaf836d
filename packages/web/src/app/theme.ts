import { type CSSVariablesResolver, createTheme, darken } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'indigo',
  // Filled controls in shade 8 (indigo.8 under white text is 5.7:1; shade 6 was 4.3:1), and dark text
  // where white would fall below 4.5:1 (a luminance above 0.18: teal, orange, yellow, green, lime).
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.18,
  defaultRadius: 'md',
  fontFamily:
    'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontWeight: '650' },
  components: {
    // Mantine's close buttons are icons only: give every one a name screen readers can say (axe button-name).
    Modal: {
      defaultProps: { centered: true, radius: 'md', closeButtonProps: { 'aria-label': 'Close dialog' } },
    },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } },
    Table: { defaultProps: { verticalSpacing: 'sm', highlightOnHover: true } },
  },
});

/**
 * WCAG 2.1 AA contrast for Mantine's light palette (axe in the end-to-end run checks it):
 * - secondary ("dimmed") text is gray.6, #868e96, 3.32:1 on white; #5c636a reads 6.1:1 on white and
 *   5.5:1 on the lightest grey panels;
 * - light, subtle and outline badges and buttons write their label in shade 6 of their colour (teal.6
 *   on its tint is 2.4:1): shade 9 darkened by a quarter reads at least 4.7:1 on every colour's tint
 *   (yellow, the palest) and 6–9:1 on the rest; links in indigo.8 (5.7:1; indigo.6 was 4.1:1).
 */
export const cssVariablesResolver: CSSVariablesResolver = (theme) => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-anchor': theme.colors.indigo[8],
  };
  for (const [name, shades] of Object.entries(theme.colors)) {
    const darkest = shades[9];
    if (!darkest) continue;
    const label = darken(darkest, 0.25);
    light[`--mantine-color-${name}-light-color`] = label;
    light[`--mantine-color-${name}-outline`] = label;
  }
  return { variables: {}, light, dark: {} };
};
