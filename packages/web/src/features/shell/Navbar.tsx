import { NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { useAppDispatch } from '../../app/hooks';
import { visibleNav } from './nav';
import { useMe } from './session';
import { closeNavbar } from './shellSlice';

function matches(to: string, pathname: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

export function Navbar() {
  const me = useMe();
  const { pathname } = useLocation();
  const dispatch = useAppDispatch();
  const sections = visibleNav(me);
  // The most specific match wins: /settings/security is Security policy, not Settings.
  const activeTo = sections
    .flatMap((section) => section.items.map((item) => item.to))
    .filter((to) => matches(to, pathname))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <ScrollArea component="nav" aria-label="Main navigation" type="scroll" p="sm">
      {/* Compact rows: every section, Platform included, fits 900 px without scrolling. */}
      <Stack gap={6}>
        {sections.map((section) => (
          <Stack gap={0} key={section.label}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={2} style={{ letterSpacing: 0.5 }}>
              {section.label}
            </Text>
            {section.items.map((item) => {
              const active = item.to === activeTo;
              return (
                <NavLink
                  key={item.to}
                  component={Link}
                  to={item.to}
                  label={item.label}
                  leftSection={<item.icon size={18} stroke={1.6} />}
                  active={active}
                  aria-current={active ? 'page' : undefined}
                  onClick={() => dispatch(closeNavbar())}
                  py={5}
                  style={{ borderRadius: 'var(--mantine-radius-md)' }}
                />
              );
            })}
          </Stack>
        ))}
      </Stack>
    </ScrollArea>
  );
}
