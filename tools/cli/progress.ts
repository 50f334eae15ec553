/**
 * `[n/N] label, ~T left` on stderr for runs that take long enough to wonder about (the stack
 * diff renders ~50 times at ~1 s). The estimate is the mean time per finished step so far times
 * the steps left; N may grow while running (the diff learns of key combinations late).
 */

export interface ProgressOptions {
  write?: (line: string) => void;
  now?: () => number;
}

export interface Progress {
  /** Step n+1 starts; prints `[n+1/N] label` with the estimate once one step has finished. */
  step(label: string): void;
  /** Raise (never lower) the expected total. */
  expect(total: number): void;
  readonly done: number;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.max(1, Math.round(s))} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return rest ? `${m} min ${rest} s` : `${m} min`;
}

export function progress(total: number, opts: ProgressOptions = {}): Progress {
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? Date.now;
  const started = now();
  let n = 0;
  let expected = total;
  return {
    step(label: string) {
      const finished = n;
      n++;
      if (n > expected) expected = n;
      const elapsed = (now() - started) / 1000;
      const left = finished > 0 ? `, ~${formatSeconds((elapsed / finished) * (expected - finished))} left` : "";
      write(`[${n}/${expected}] ${label}${left}`);
    },
    expect(t: number) {
      expected = Math.max(expected, t);
    },
    get done() {
      return n;
    },
  };
}
