import { Button, Stack } from '@mantine/core';
import { IconFileText, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { QueryBody, TableCard } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { useListPrivacyRequestsQuery } from './api';
import { NewRequestModal } from './NewRequestModal';
import { RequestFilterBar } from './RequestFilterBar';
import { RequestsTable } from './RequestsTable';
import { activeFilterCount, requestsQuery } from './requestFilters';
import { useRequestFilters } from './useRequestFilters';

function RequestsList() {
  useDisplayTimeZone();
  const navigate = useNavigate();
  const state = useRequestFilters();
  const query = useListPrivacyRequestsQuery(requestsQuery(state.filters));
  const filtered = activeFilterCount(state.filters) > 0;
  return (
    <Stack gap="lg">
      <RequestFilterBar state={state} />
      <TableCard title={{ id: 'privacy-requests-title', text: 'Requests', count: query.data?.length }}>
        <QueryBody
          query={query}
          loadingLabel="Loading privacy requests"
          what="the privacy requests"
          empty={
            <EmptyState
              icon={<IconFileText size={24} />}
              title={filtered ? 'No request matches these filters' : 'No open requests'}
              description={
                filtered
                  ? 'Change or reset the filters to see more.'
                  : 'Requests arrive from your public request page, from your app through the API, or are entered here with “New request”.'
              }
            />
          }
        >
          {(requests) => (
            <RequestsTable requests={requests} onOpen={(id) => navigate(`/privacy/requests/${id}`)} />
          )}
        </QueryBody>
      </TableCard>
    </Stack>
  );
}

/** `/privacy/requests`: data subject requests with their statutory due dates. */
export function PrivacyRequestsPage() {
  const me = useMe();
  const canManage = useCan('privacy:manage') && me.organization !== null;
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Privacy requests"
        description="People asking to see, move, correct, restrict or erase their personal data, or objecting to its use. The law sets the due date of each one; overdue requests are shown in red and raise an alert."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
              New request
            </Button>
          ) : undefined
        }
      />
      <Require organization permission="privacy:read">
        <RequestsList />
      </Require>
      <NewRequestModal opened={creating} onClose={() => setCreating(false)} />
    </>
  );
}
