/** What a command may touch besides S3 and PostgreSQL: its output lines and the clock (tests replace both). */
export interface Runtime {
  out(line: string): void;
  err(line: string): void;
  now(): Date;
  /** Fires when the run must stop (SIGTERM from ECS, Ctrl-C); its reason's message says why. */
  stop?: AbortSignal;
}

const SIGNALS: Record<string, number> = { SIGTERM: 15, SIGINT: 2 };

export function processRuntime(): Runtime {
  const stop = new AbortController();
  // Handling the signal (instead of dying at once) lets the run abort its multipart upload,
  // stop pg_dump/pg_restore, remove staging files and send its error check-in first.
  for (const [sig, n] of Object.entries(SIGNALS)) {
    process.once(sig, () => stop.abort(Object.assign(new Error(`stopped by ${sig}`), { exitCode: 128 + n })));
  }
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    now: () => new Date(),
    stop: stop.signal,
  };
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}
