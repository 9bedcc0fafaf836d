import { Stack, Tabs } from '@mantine/core';
import { IconList, IconSettings } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { Require } from '../shell/RequirePermission';
import { useCan, useMe } from '../shell/session';
import { AuditSettings } from './AuditSettings';
import { EventDrawer } from './EventDrawer';
import { EventsCard } from './EventsCard';
import { ExportMenu } from './ExportMenu';
import { FilterBar } from './FilterBar';
import { HistoryStatus } from './HistoryStatus';
import { SavedSearches } from './SavedSearches';
import { type AuditFiltersState, useAuditFilters } from './useAuditFilters';

type AuditTab = 'events' | 'settings';

function AuditFrame({ tab, actions, children }: { tab: AuditTab; actions?: ReactNode; children: ReactNode }) {
  const me = useMe();
  const navigate = useNavigate();
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Everything that happens in ${me.organization?.name ?? 'this organization'}, recorded in a tamper-evident log: every event can be proved against a signed checkpoint, a fingerprint of the whole log that Custos signs every few seconds, so any later change shows.`}
        actions={actions}
      />
      <Require organization permission="audit:read">
        <Tabs
          value={tab}
          onChange={(value) => navigate(value === 'settings' ? '/audit/settings' : '/audit')}
          mb="lg"
        >
          <Tabs.List>
            <Tabs.Tab value="events" leftSection={<IconList size={16} />}>
              Events
            </Tabs.Tab>
            <Tabs.Tab value="settings" leftSection={<IconSettings size={16} />}>
              Retention &amp; privacy
            </Tabs.Tab>
          </Tabs.List>
          {/* Each tab is a page of its own: the current page is its panel, the other panel stays
              empty (a tab must point at a panel that exists). */}
          <Tabs.Panel value="events" pt="lg">
            {tab === 'events' ? children : null}
          </Tabs.Panel>
          <Tabs.Panel value="settings" pt="lg">
            {tab === 'settings' ? children : null}
          </Tabs.Panel>
        </Tabs>
      </Require>
    </>
  );
}

function AuditEvents({ state }: { state: AuditFiltersState }) {
  const [live, setLive] = useState(false);
  return (
    <Stack gap="lg">
      <HistoryStatus />
      <FilterBar state={state} />
      {/* A new search starts from a fresh card: its pages, live events and scroll position. */}
      <EventsCard key={state.filtersKey} state={state} live={live} onLiveChange={setLive} />
      <EventDrawer
        eventId={state.eventId}
        onClose={state.closeEvent}
        onFilter={(patch) => state.update(patch)}
      />
    </Stack>
  );
}

/** `/audit`: search the trail, follow it live, open an event with its proof, export, save searches. */
export function AuditLogPage() {
  const state = useAuditFilters();
  const me = useMe();
  const canRead = useCan('audit:read') && me.organization !== null;
  return (
    <AuditFrame
      tab="events"
      actions={
        canRead ? (
          <>
            <SavedSearches filters={state.filters} onApply={state.applyQuery} />
            <ExportMenu query={state.query} />
          </>
        ) : undefined
      }
    >
      <AuditEvents state={state} />
    </AuditFrame>
  );
}

/** `/audit/settings`: retention, legal hold, the latest checkpoint and erasing a data subject. */
export function AuditSettingsPage() {
  return (
    <AuditFrame tab="settings">
      <AuditSettings />
    </AuditFrame>
  );
}
