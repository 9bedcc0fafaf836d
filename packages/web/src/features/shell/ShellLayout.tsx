import { AppShell, Burger, Center, Container, Group } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { hookError } from '../../app/errors';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Logo } from '../../ui/Logo';
import { FullPageLoader, LoadError } from '../../ui/states';
import { useGetMeQuery } from '../auth/api';
import { Navbar } from './Navbar';
import { OrganizationSwitcher } from './OrganizationSwitcher';
import { MeContext } from './session';
import { toggleNavbar } from './shellSlice';
import { UserMenu } from './UserMenu';

/** The signed-in console: loads the caller, sends signed-out visitors to sign-in, frames every page. */
export function ShellLayout() {
  const { data: me, error, isLoading, refetch } = useGetMeQuery();
  const navbarOpened = useAppSelector((state) => state.shell.navbarOpened);
  const dispatch = useAppDispatch();
  const location = useLocation();
  const apiError = hookError(error);

  if (isLoading) return <FullPageLoader />;
  if (apiError?.status === 401) {
    return <Navigate to="/sign-in" replace state={{ from: `${location.pathname}${location.search}` }} />;
  }
  if (!me) {
    return (
      <Center h="100vh" p="md">
        <LoadError error={apiError} what="your account" onRetry={refetch} />
      </Center>
    );
  }

  return (
    <MeContext.Provider value={me}>
      <AppShell
        header={{ height: 60 }}
        navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
        padding="lg"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap" style={{ flex: 1, minWidth: 0 }}>
              <Burger
                opened={navbarOpened}
                onClick={() => dispatch(toggleNavbar())}
                hiddenFrom="sm"
                size="sm"
                aria-label="Toggle navigation"
              />
              <Logo compact />
              <OrganizationSwitcher />
            </Group>
            <UserMenu />
          </Group>
        </AppShell.Header>
        <AppShell.Navbar>
          <Navbar />
        </AppShell.Navbar>
        <AppShell.Main className="custos-main">
          <Container size="lg" px={0}>
            <Outlet />
          </Container>
        </AppShell.Main>
      </AppShell>
    </MeContext.Provider>
  );
}
