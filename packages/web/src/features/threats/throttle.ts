/**
 * Runs `run` at most once per `intervalMs`: the first call runs at once, calls within the interval
 * collapse into one run at its end. `cancel()` drops a pending run (on unmount).
 */
export function throttle(run: () => void, intervalMs: number, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = () => {
    timer = undefined;
    last = now();
    run();
  };
  return {
    call() {
      if (timer !== undefined) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
