import { AppShell, Burger, Center, Container, Group } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { hookError } from '../../app/errors';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { Logo } from '../../ui/Logo';
import { FullPageLoader, LoadError } from '../../ui/states';
import { AuditWarning } from '../audit/AuditWarning';
import { useGetMeQuery } from '../auth/api';
import { StepUpModal } from '../auth/StepUpModal';
import { IMPERSONATION_BAR_HEIGHT, ImpersonationBanner } from '../impersonation/ImpersonationBanner';
import { EnrollmentBanner, MY_SECURITY_PATH } from './EnrollmentBanner';
import { Navbar } from './Navbar';
import { OrganizationSwitcher } from './OrganizationSwitcher';
import { MeContext } from './session';
import { toggleNavbar } from './shellSlice';
import { UserMenu } from './UserMenu';

const HEADER_HEIGHT = 60;

/**
 * The signed-in console: loads the caller, sends signed-out visitors to sign-in, sends everyone who
 * must set up MFA first to My security, frames every page and hosts the step-up dialog.
 */
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
  if (me.mfaEnrollment.blocking && location.pathname !== MY_SECURITY_PATH) {
    return <Navigate to={MY_SECURITY_PATH} replace />;
  }
  const impersonation = me.impersonation;

  return (
    <MeContext.Provider value={me}>
      <AppShell
        header={{ height: HEADER_HEIGHT + (impersonation ? IMPERSONATION_BAR_HEIGHT : 0) }}
        navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !navbarOpened } }}
        padding="lg"
      >
        <a className="custos-skip-link" href="#main-content">
          Skip to content
        </a>
        <AppShell.Header>
          {impersonation && <ImpersonationBanner impersonation={impersonation} />}
          <Group h={HEADER_HEIGHT} px="md" justify="space-between" wrap="nowrap">
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
        <AppShell.Main className="custos-main" id="main-content" tabIndex={-1}>
          <Container size="lg" px={0}>
            <EnrollmentBanner enrollment={me.mfaEnrollment} />
            <AuditWarning />
            <Outlet />
          </Container>
        </AppShell.Main>
      </AppShell>
      <StepUpModal />
    </MeContext.Provider>
  );
}
