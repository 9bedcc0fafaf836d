/**
 * Entries kept in time order (the memory twin of a Redis sorted set scored by time). Signals arrive
 * nearly in order, so inserting is a push; trimming advances a head offset and compacts now and
 * then, so each operation is O(log n) plus amortized O(1).
 */
export class TimeIndex {
  private ats: number[] = [];
  private members: string[] = [];
  private head = 0;

  get size(): number {
    return this.ats.length - this.head;
  }

  /** First index whose time is greater than `t`. */
  private firstAbove(t: number): number {
    let lo = this.head;
    let hi = this.ats.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ats[mid] ?? 0) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(at: number, member: string): void {
    const last = this.ats.length - 1;
    if (last < this.head || (this.ats[last] ?? 0) <= at) {
      this.ats.push(at);
      this.members.push(member);
      return;
    }
    const i = this.firstAbove(at);
    this.ats.splice(i, 0, at);
    this.members.splice(i, 0, member);
  }

  /** Removes the entry of `member` at `at`, if any. */
  remove(at: number, member: string): void {
    for (let i = this.firstAbove(at) - 1; i >= this.head && this.ats[i] === at; i--) {
      if (this.members[i] === member) {
        this.ats.splice(i, 1);
        this.members.splice(i, 1);
        return;
      }
    }
  }

  /** How many entries are newer than `t`. */
  countAbove(t: number): number {
    return this.ats.length - this.firstAbove(t);
  }

  /** Drops entries at or before `t`, and the oldest beyond `max`; `dropped` hears each member. */
  trim(t: number, max: number, dropped?: (member: string) => void): void {
    const n = this.ats.length;
    let head = this.head;
    while (head < n && ((this.ats[head] ?? 0) <= t || n - head > max)) {
      if (dropped) dropped(this.members[head] ?? '');
      head++;
    }
    this.head = head;
    if (head > 256 && head * 2 > n) {
      this.ats.splice(0, head);
      this.members.splice(0, head);
      this.head = 0;
    }
  }
}
