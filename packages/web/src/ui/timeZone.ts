import { useSyncExternalStore } from 'react';
import { isKnownTimeZone, setDisplayTimeZone, VIEWER_TIME_ZONE } from '../app/format';

/**
 * The console-wide choice of the zone times are shown in: the viewer's own, UTC, or the
 * organization's (the one its access rules use). Kept in localStorage so it survives reloads and
 * follows into other tabs; every component that shows a time subscribes through `useDisplayTimeZone`
 * so a switch re-renders it without a reload.
 */
export type TimeZoneChoice = 'viewer' | 'utc' | 'organization';

export interface TimeZoneSetting {
  choice: TimeZoneChoice;
  /** The organization's zone once known (remembered, so a reload shows it at once). */
  organizationZone: string | undefined;
  /** The zone times are shown in now. */
  zone: string;
}

const STORAGE_KEY = 'custos.timeZone';
const CHOICES: readonly TimeZoneChoice[] = ['viewer', 'utc', 'organization'];

function resolve(choice: TimeZoneChoice, organizationZone: string | undefined): TimeZoneSetting {
  const zone =
    choice === 'utc'
      ? 'UTC'
      : choice === 'organization' && organizationZone
        ? organizationZone
        : VIEWER_TIME_ZONE;
  return { choice, organizationZone, zone };
}

function read(): TimeZoneSetting {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    if (raw && typeof raw === 'object' && 'choice' in raw) {
      const choice = CHOICES.find((c) => c === raw.choice) ?? 'viewer';
      const org =
        'organizationZone' in raw && typeof raw.organizationZone === 'string' ? raw.organizationZone : '';
      return resolve(choice, isKnownTimeZone(org) && org ? org : undefined);
    }
  } catch {
    // Storage blocked or garbled: the viewer's zone.
  }
  return resolve('viewer', undefined);
}

let setting = read();
setDisplayTimeZone(setting.zone);
const listeners = new Set<() => void>();

function update(next: TimeZoneSetting, persist: boolean): void {
  if (next.choice === setting.choice && next.organizationZone === setting.organizationZone) return;
  setting = next;
  setDisplayTimeZone(next.zone);
  if (persist) {
    try {
      localStorage.setItem(
        STORAGE_KEY,
        JSON.stringify({ choice: next.choice, organizationZone: next.organizationZone }),
      );
    } catch {
      // Not remembered past this page; the switch still applies.
    }
  }
  for (const listener of listeners) listener();
}

// Another tab switched zones: follow it.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY) update(read(), false);
  });
}

/** Shows every time in the chosen zone from now on, and remembers the choice. */
export function chooseTimeZone(choice: TimeZoneChoice): void {
  update(resolve(choice, setting.organizationZone), true);
}

/** Records the organization's zone (undefined: this caller cannot see it). */
export function learnOrganizationTimeZone(zone: string | undefined): void {
  const known = zone && isKnownTimeZone(zone) ? zone : undefined;
  update(resolve(setting.choice, known), true);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => setting;

export function useTimeZoneSetting(): TimeZoneSetting {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

/**
 * The zone times are shown in. A component that formats times calls this (even ignoring the result)
 * so it re-renders when the viewer switches zones.
 */
export function useDisplayTimeZone(): string {
  return useTimeZoneSetting().zone;
}
