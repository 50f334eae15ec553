/** What a command may touch besides S3 and PostgreSQL: its output lines and the clock (tests replace both). */
export interface Runtime {
  out(line: string): void;
  err(line: string): void;
  now(): Date;
}

export function processRuntime(): Runtime {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    now: () => new Date(),
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
