/**
 * Remembers a pure function of a short text (an IP's canonical form, a pseudonym) for the hot paths
 * that ask about the same few values on every request. Parsing an address with ipaddr.js costs tens
 * of microseconds on a cold cache; a sign-in asked it six times about the same address.
 *
 * The memory is bounded: when `max` answers are held it starts over, so a flood of distinct values
 * costs what it cost without the memo, never more memory.
 */
export function memoizeText<T>(compute: (text: string) => T, max = 10_000): (text: string) => T {
  const answers = new Map<string, T>();
  return (text: string) => {
    const known = answers.get(text);
    if (known !== undefined || answers.has(text)) return known as T;
    const answer = compute(text);
    if (answers.size >= max) answers.clear();
    answers.set(text, answer);
    return answer;
  };
}
