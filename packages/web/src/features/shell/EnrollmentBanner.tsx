import type { MfaEnrollmentState } from '@custos/shared';
import { Alert, Anchor } from '@mantine/core';
import { IconShieldExclamation } from '@tabler/icons-react';
import { Link, useLocation } from 'react-router';
import { formatDateTime } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';

export const MY_SECURITY_PATH = '/security/me';

/** On every page while the organization asks this user for a second factor they do not have yet. */
export function EnrollmentBanner({ enrollment }: { enrollment: MfaEnrollmentState }) {
  useDisplayTimeZone();
  const { pathname } = useLocation();
  // My security explains it in place.
  if (!enrollment.required || pathname === MY_SECURITY_PATH) return null;
  return (
    <Alert
      color={enrollment.blocking ? 'red' : 'yellow'}
      variant="light"
      icon={<IconShieldExclamation size={18} />}
      mb="lg"
      title="Your organization requires two-step verification"
    >
      {enrollment.deadline
        ? `Set it up before ${formatDateTime(enrollment.deadline)}; after that you can only use My security until you do. `
        : 'Set it up to keep using the console. '}
      <Anchor component={Link} to={MY_SECURITY_PATH} size="sm" fw={600}>
        Set up two-step verification
      </Anchor>
    </Alert>
  );
}
