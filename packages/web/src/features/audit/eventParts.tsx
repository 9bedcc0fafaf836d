import type { AuditEventOut } from '@custos/shared';
import { Badge, Group, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconArchive, IconEraser, IconShieldX } from '@tabler/icons-react';
import { SOURCE_HELP, SOURCE_WORDS } from './filters';

type Actor = AuditEventOut['actor'];
type Target = AuditEventOut['targets'][number];

/** What the server shows in place of a personal field whose data subject was erased. */
export const ERASED = '[erased]';

const OUTCOME_COLORS: Record<string, string> = { success: 'teal', failure: 'red', denied: 'orange' };

export const ACTOR_TYPES: Record<string, string> = {
  user: 'User',
  api_key: 'API key',
  service: 'Service',
  anonymous: 'Anonymous',
  system: 'System',
};

export function OutcomeBadge({ outcome }: { outcome: string }) {
  return (
    <Badge variant="light" color={OUTCOME_COLORS[outcome] ?? 'gray'} miw="max-content">
      {outcome}
    </Badge>
  );
}

export function SourceBadge({ source }: { source: string }) {
  const known = source in SOURCE_WORDS ? (source as keyof typeof SOURCE_WORDS) : null;
  const badge = (
    <Badge variant="outline" color="gray" tt="none" fw={500} miw="max-content">
      {known ? SOURCE_WORDS[known] : source}
    </Badge>
  );
  return known ? (
    <Tooltip label={SOURCE_HELP[known]} withArrow>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}

const ERASED_HELP =
  'This personal data was erased: its key was destroyed, so nobody can read it any more. The event and its proof are unchanged.';

/** Marks a personal field whose key was destroyed: the value can no longer be read by anyone. */
export function ErasedMark({ compact = false }: { compact?: boolean }) {
  return (
    <Tooltip label={ERASED_HELP} multiline w={280} withArrow>
      {compact ? (
        <ThemeIcon size="sm" variant="light" color="gray" radius="xl" aria-label="Personal data erased">
          <IconEraser size={12} />
        </ThemeIcon>
      ) : (
        <Badge size="sm" variant="light" color="gray" leftSection={<IconEraser size={12} />} tt="none">
          erased
        </Badge>
      )}
    </Tooltip>
  );
}

const INTEGRITY_HELP = {
  modified:
    'Altered: the stored contents do not hash to this event’s leaf. They were changed in the database, so what is shown is not the record.',
  purged:
    'Purged: the contents are gone (retention, or removed). The action, actor and time shown come from search columns that cannot be verified.',
} as const;

/**
 * Marks an event whose shown contents cannot be trusted: red "altered" when the stored body was
 * changed in the database, grey "purged" when it is gone. Nothing for an intact event.
 */
export function IntegrityBadge({ integrity }: { integrity: AuditEventOut['integrity'] }) {
  if (integrity === 'intact') return null;
  const altered = integrity === 'modified';
  return (
    <Tooltip label={INTEGRITY_HELP[integrity]} multiline w={300} withArrow>
      <Badge
        size="xs"
        variant={altered ? 'filled' : 'outline'}
        color={altered ? 'red.8' : 'gray'}
        leftSection={altered ? <IconShieldX size={10} /> : <IconArchive size={10} />}
        data-integrity={integrity}
        miw="max-content"
      >
        {altered ? 'altered' : 'purged'}
      </Badge>
    </Tooltip>
  );
}

/**
 * How to call an actor in one line: its recorded name, else the member's name today, else its
 * e-mail, else its id, else its type.
 */
export function actorName(actor: Actor): string {
  for (const value of [actor.name, actor.displayName, actor.email, actor.id]) {
    if (value && value !== ERASED) return value;
  }
  return ACTOR_TYPES[actor.type] ?? actor.type;
}

function actorDetail(actor: Actor): string {
  const type = ACTOR_TYPES[actor.type] ?? actor.type;
  const name = actorName(actor);
  const email = actor.email && actor.email !== ERASED && actor.email !== name ? actor.email : undefined;
  return [type, email].filter(Boolean).join(' · ');
}

/** The actor cell of the table: who did it, and on whose behalf when impersonating. */
export function ActorSummary({ event }: { event: AuditEventOut }) {
  const erased = event.erased.some((path) => path.startsWith('actor.'));
  return (
    <div>
      <Group gap={6} wrap="nowrap">
        <Text size="sm" fw={500} truncate maw={170}>
          {actorName(event.actor)}
        </Text>
        {erased && <ErasedMark compact />}
      </Group>
      <Text size="xs" c="dimmed" truncate maw={190}>
        {actorDetail(event.actor)}
        {event.impersonator ? ` · via ${actorName(event.impersonator)}` : ''}
      </Text>
    </div>
  );
}

const shortId = (id: string) => (id.length > 14 ? `${id.slice(0, 8)}…` : id);

/**
 * How to call a target in one line: the name the event recorded, else the member's current name
 * (the server adds it for display), else a short id.
 */
export function targetName(target: Target): string {
  return target.name ?? target.displayName ?? shortId(target.id);
}

/** Actions whose name alone misleads: a few plain words under them, and a sentence on hover. */
const ACTION_NOTES: Record<string, { short: string; long: string }> = {
  'user.step_up_challenged': {
    short: 'Confirmation prompt',
    long: 'Asked to confirm it was them (password or second factor) before a sensitive action. Not a denial.',
  },
};

/** A short explanation of an action, when its name needs one. */
export function actionNote(action: string): { short: string; long: string } | undefined {
  return ACTION_NOTES[action];
}

/** The first targets of an event, and how many more there are. */
export function TargetsSummary({ targets }: { targets: Target[] }) {
  if (targets.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const [first, second, ...rest] = targets;
  return (
    <div>
      {[first, second].map(
        (target) =>
          target && (
            <Text
              key={`${target.type}:${target.id}`}
              size="sm"
              truncate
              maw={240}
              title={`${target.type} ${target.id}`}
            >
              {targetName(target)}{' '}
              <Text span size="xs" c="dimmed">
                {target.type}
              </Text>
            </Text>
          ),
      )}
      {rest.length > 0 && (
        <Text size="xs" c="dimmed">
          +{rest.length} more
        </Text>
      )}
    </div>
  );
}
