import { Button, Stack } from '@mantine/core';
import { IconRadar2 } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { EventFilterBar } from './EventFilterBar';
import { EventsCard } from './EventsCard';
import { useEventFilters } from './useEventFilters';
import { useSecurityStream } from './useSecurityStream';

function EventsList() {
  const state = useEventFilters();
  const stream = useSecurityStream();
  return (
    <Stack gap="lg">
      <EventFilterBar state={state} />
      {/* New filters start a fresh card: its pages and its selection. */}
      <EventsCard key={state.filtersKey} state={state} stream={stream} />
    </Stack>
  );
}

/** `/security/events`: what the detectors raised, filtered, triaged one by one or in bulk, live. */
export function SecurityEventsPage() {
  const me = useMe();
  const canRead = useCan('security:read') && me.organization !== null;
  return (
    <>
      <PageHeader
        title="Security events"
        description="Attacks and unusual activity the detectors noticed, one event per attack. Triage them here: acknowledge, resolve or mark as false positive."
        actions={
          canRead ? (
            <Button
              component={Link}
              to="/security/detection"
              variant="default"
              leftSection={<IconRadar2 size={16} />}
            >
              Detection settings
            </Button>
          ) : undefined
        }
      />
      <Require organization permission="security:read">
        <EventsList />
      </Require>
    </>
  );
}
