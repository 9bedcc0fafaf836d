import { Alert, SimpleGrid, Stack } from '@mantine/core';
import { IconShieldExclamation } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDateTime } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useGetMySecurityQuery } from './api';
import { ChangePasswordCard } from './ChangePasswordCard';
import { FactorsCard } from './FactorsCard';
import { MySessionsCard } from './MySessionsCard';
import { RecoveryCodesCard } from './RecoveryCodesCard';
import { RecoveryCodesModal } from './RecoveryCodesModal';

/** The caller's own sign-in security: factors, recovery codes, password and sessions. */
export function MySecurityPage() {
  useDisplayTimeZone();
  const { data: mySecurity, error, isLoading, refetch } = useGetMySecurityQuery();
  const [codes, setCodes] = useState<string[]>();

  return (
    <>
      <PageHeader
        title="My security"
        description="How you sign in to Custos and where you are signed in. These settings apply in every organization."
      />
      {isLoading ? (
        <SectionLoader label="Loading your security settings" />
      ) : !mySecurity ? (
        <LoadError error={hookError(error)} what="your security settings" onRetry={refetch} />
      ) : (
        <Stack gap="lg">
          {mySecurity.mfaEnrollment.required && (
            <Alert
              color={mySecurity.mfaEnrollment.blocking ? 'red' : 'yellow'}
              variant="light"
              icon={<IconShieldExclamation size={18} />}
              title={
                mySecurity.mfaEnrollment.blocking
                  ? 'Set up two-step verification to continue'
                  : 'Your organization asks for two-step verification'
              }
            >
              {mySecurity.mfaEnrollment.blocking
                ? 'The time to set it up has passed: the rest of the console opens again once you add an authenticator app or a passkey below.'
                : `Add an authenticator app or a passkey${
                    mySecurity.mfaEnrollment.deadline
                      ? ` before ${formatDateTime(mySecurity.mfaEnrollment.deadline)}`
                      : ''
                  }. After that, you can only use this page until you do.`}
            </Alert>
          )}
          <FactorsCard mySecurity={mySecurity} onRecoveryCodes={setCodes} />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" style={{ alignItems: 'start' }}>
            <RecoveryCodesCard mySecurity={mySecurity} onCodes={setCodes} />
            <ChangePasswordCard passwordChangedAt={mySecurity.passwordChangedAt} />
          </SimpleGrid>
          <MySessionsCard />
        </Stack>
      )}
      <RecoveryCodesModal codes={codes} onClose={() => setCodes(undefined)} />
    </>
  );
}
