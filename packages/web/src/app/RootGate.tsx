import { Center } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useGetSetupStatusQuery } from '../features/setup/api';
import { FullPageLoader, LoadError } from '../ui/states';
import { hookError } from './errors';

/** Before anything else: a Custos without an administrator only offers the setup page. */
export function RootGate() {
  const { data, error, isLoading, refetch } = useGetSetupStatusQuery();
  const { pathname } = useLocation();

  if (isLoading) return <FullPageLoader />;
  if (!data) {
    return (
      <Center h="100vh" p="md">
        <LoadError error={hookError(error)} what="Custos" onRetry={refetch} />
      </Center>
    );
  }
  if (data.required && pathname !== '/setup') return <Navigate to="/setup" replace />;
  return <Outlet />;
}
