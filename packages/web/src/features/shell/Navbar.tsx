import { NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { Link, useLocation } from 'react-router';
import { useAppDispatch } from '../../app/hooks';
import { visibleNav } from './nav';
import { useMe } from './session';
import { closeNavbar } from './shellSlice';

function isActive(to: string, pathname: string): boolean {
  return to === '/' ? pathname === '/' : pathname === to || pathname.startsWith(`${to}/`);
}

export function Navbar() {
  const me = useMe();
  const { pathname } = useLocation();
  const dispatch = useAppDispatch();
  return (
    <ScrollArea component="nav" aria-label="Main navigation" type="scroll" p="sm">
      <Stack gap="md">
        {visibleNav(me).map((section) => (
          <Stack gap={2} key={section.label}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" py={4} style={{ letterSpacing: 0.5 }}>
              {section.label}
            </Text>
            {section.items.map((item) => {
              const active = isActive(item.to, pathname);
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
