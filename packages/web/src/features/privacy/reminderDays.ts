/** Reminder days as typed: whole numbers from 1 to 60, at most five, largest first, without repeats. */
export function parseReminderDays(
  tags: readonly string[],
): { ok: true; days: number[] } | { ok: false; problem: string } {
  const days: number[] = [];
  for (const tag of tags) {
    const text = tag.trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > 60) {
      return { ok: false, problem: `“${tag}” is not a number of days from 1 to 60` };
    }
    if (!days.includes(n)) days.push(n);
  }
  if (days.length > 5) return { ok: false, problem: 'At most 5 reminders' };
  return { ok: true, days: days.sort((a, b) => b - a) };
}
