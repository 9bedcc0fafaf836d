import type { PrivacyRequestDetail, PrivacyTaskOut } from '@custos/shared';
import { formatCalendarDate } from './countdown';
import { STATE_LABELS } from './labels';
import { TASK_KIND_LABELS } from './taskLabels';

type Entry = PrivacyRequestDetail['timeline'][number];

export interface EntryText {
  title: string;
  detail: string | null;
  tone: 'info' | 'good' | 'bad' | 'warn';
}

const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);
const date = (value: unknown) => {
  const s = str(value);
  return s ? formatCalendarDate(s) : null;
};

function stateWord(value: unknown): string | null {
  const s = str(value);
  return s && s in STATE_LABELS ? STATE_LABELS[s as keyof typeof STATE_LABELS] : s;
}

const TASK_WORDS: Record<string, { verb: string; tone: EntryText['tone'] }> = {
  queued: { verb: 'queued', tone: 'info' },
  delivered: { verb: 'delivered', tone: 'info' },
  claimed: { verb: 'picked up', tone: 'info' },
  lease_extended: { verb: 'still being worked', tone: 'info' },
  completed: { verb: 'done', tone: 'good' },
  failed: { verb: 'failed', tone: 'bad' },
  skipped: { verb: 'skipped', tone: 'warn' },
  retried: { verb: 'retried', tone: 'info' },
};

function taskText(action: string, entry: Entry, systemNames: ReadonlyMap<string, string>): EntryText {
  const words = TASK_WORDS[action] ?? { verb: action.replaceAll('_', ' '), tone: 'info' as const };
  const systemId = str(entry.data.systemId);
  const system = (systemId && systemNames.get(systemId)) ?? 'a system';
  const kind = str(entry.data.kind);
  const what = kind && kind in TASK_KIND_LABELS ? TASK_KIND_LABELS[kind as PrivacyTaskOut['kind']] : 'Task';
  const detail = str(entry.data.reason) ?? str(entry.data.error) ?? str(entry.data.note);
  return { title: `${what} at ${system}: ${words.verb}`, detail, tone: words.tone };
}

/** One timeline entry in plain words; kinds this console does not know yet still read sensibly. */
export function timelineText(entry: Entry, systemNames: ReadonlyMap<string, string> = new Map()): EntryText {
  const d = entry.data;
  if (entry.kind.startsWith('task_')) return taskText(entry.kind.slice(5), entry, systemNames);
  switch (entry.kind) {
    case 'created':
      return {
        title: 'Request received',
        detail: str(d.duplicateOf) ? 'Linked to an earlier open request of the same person and type.' : null,
        tone: 'info',
      };
    case 'verified':
      return { title: 'Identity verified', detail: str(d.method), tone: 'good' };
    case 'approved':
      return {
        title: 'Approved',
        detail: 'Work started in every system that holds the person’s data.',
        tone: 'good',
      };
    case 'completed':
      return {
        title: 'Completed',
        detail: d.automatic === true ? 'Every system finished its part.' : str(d.note),
        tone: 'good',
      };
    case 'denied':
      return {
        title: 'Denied',
        detail: [str(d.reason), str(d.legalGround) ? `Legal ground: ${str(d.legalGround)}` : null]
          .filter(Boolean)
          .join('\n'),
        tone: 'bad',
      };
    case 'canceled':
      return { title: 'Canceled', detail: str(d.note), tone: 'warn' };
    case 'extended':
      return {
        title: `Deadline extended${date(d.dueDate) ? ` to ${date(d.dueDate)}` : ''}`,
        detail: str(d.reason),
        tone: 'warn',
      };
    case 'notice_sent':
      return {
        title: 'The person was told by e-mail',
        detail: d.notice === 'extension' ? 'Of the extension, its reason and the new due date.' : null,
        tone: 'info',
      };
    case 'notice_required':
      return { title: 'Tell the person yourself', detail: str(d.message), tone: 'warn' };
    case 'reminder':
      return { title: `Reminder: due ${date(d.dueDate) ?? 'soon'}`, detail: null, tone: 'warn' };
    case 'overdue':
      return {
        title: 'Overdue',
        detail: `The due date${date(d.dueDate) ? `, ${date(d.dueDate)},` : ''} passed${d.alerted === true ? '; an alert was sent' : ''}.`,
        tone: 'bad',
      };
    default: {
      const to = stateWord(d.to);
      const title = entry.kind.replaceAll('_', ' ');
      return {
        title: title.charAt(0).toUpperCase() + title.slice(1),
        detail: to ? `Now ${to.toLowerCase()}.` : null,
        tone: 'info',
      };
    }
  }
}

/** Who did it: a member's name, the host app's API key, or Custos. */
export function timelineActor(entry: Entry): string {
  if (entry.actor.type === 'system') return 'Custos';
  if (entry.actor.type === 'api_key') return `API key ${entry.actor.name ?? ''}`.trim();
  if (entry.actor.type === 'requester' || entry.actor.type === 'subject') return 'The person';
  return entry.actor.name ?? 'A member';
}
