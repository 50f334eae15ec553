import { JobError } from "./errors";

/**
 * Every wait the job makes has a bound, so a frozen S3, a frozen database or a table lock
 * fails the run with a line naming what hung, long before Sentry's max_runtime or the task's
 * own end. The defaults fit the nightly schedule; tests shorten them through the environment.
 */
export interface Bounds {
  /** Whole run (BACKUP_DEADLINE_SECONDS): below Sentry's max_runtime (120 min) so our line comes first. */
  deadlineSeconds: number;
  /** One S3 request may sit idle this long (S3_TIMEOUT_SECONDS) before it is retried. */
  s3TimeoutSeconds: number;
  /** Attempts per S3 request, the first included (S3_MAX_ATTEMPTS). */
  s3Attempts: number;
  /** pg_dump --lock-wait-timeout (PG_LOCK_WAIT_SECONDS): how long a table lock held by someone else is waited for. */
  pgLockWaitSeconds: number;
  /** pg_dump silent this long (PG_STALL_SECONDS) means the database stopped answering; also the server's idle bound. */
  pgStallSeconds: number;
}

const DEFAULTS: Record<string, [keyof Bounds, number]> = {
  BACKUP_DEADLINE_SECONDS: ["deadlineSeconds", 6600],
  S3_TIMEOUT_SECONDS: ["s3TimeoutSeconds", 60],
  S3_MAX_ATTEMPTS: ["s3Attempts", 4],
  PG_LOCK_WAIT_SECONDS: ["pgLockWaitSeconds", 120],
  PG_STALL_SECONDS: ["pgStallSeconds", 600],
};

export function readBounds(env: NodeJS.ProcessEnv): Bounds {
  const out = {} as Bounds;
  const bad: string[] = [];
  for (const [name, [field, dflt]] of Object.entries(DEFAULTS)) {
    const v = env[name]?.trim();
    if (!v) out[field] = dflt;
    else if (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0) out[field] = Number(v);
    else bad.push(`${name}=${v}`);
  }
  if (bad.length) throw new JobError(`invalid ${bad.join(", ")} (a number of seconds > 0)`);
  out.s3Attempts = Math.max(1, Math.round(out.s3Attempts));
  return out;
}

/**
 * One run of a command: what it is doing now (for the line that says what hung), and one abort
 * signal that the deadline and SIGTERM/SIGINT fire. Every child process, S3 request and upload
 * listens to it, so an abort stops them all and the command's `finally` blocks clean up.
 */
export class Run {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  phase = "starting";

  constructor(
    readonly bounds: Bounds,
    stop?: AbortSignal,
  ) {
    const deadlineSeconds = bounds.deadlineSeconds;
    this.timer = setTimeout(
      () => this.abort(new JobError(`job deadline of ${deadlineSeconds}s (BACKUP_DEADLINE_SECONDS) passed while ${this.phase}`)),
      deadlineSeconds * 1000,
    );
    this.timer.unref();
    const onStop = () => {
      const why = stop!.reason as { message?: string; exitCode?: number } | undefined;
      this.abort(new JobError(`${why?.message ?? "stopped"} while ${this.phase}`, why?.exitCode));
    };
    if (stop?.aborted) onStop();
    else stop?.addEventListener("abort", onStop, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The error that aborted the run, if any: it wins over whatever error the abort caused downstream. */
  get reason(): JobError | undefined {
    return this.signal.aborted ? (this.signal.reason as JobError) : undefined;
  }

  abort(err: JobError): void {
    if (!this.signal.aborted) this.controller.abort(err);
  }

  /** Runs `fn` as the named phase; an abort rejects at once even if `fn` ignores the signal. */
  async step<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    this.phase = phase;
    if (this.reason) throw this.reason;
    let off = () => undefined as void;
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(this.reason);
      this.signal.addEventListener("abort", onAbort, { once: true });
      off = () => this.signal.removeEventListener("abort", onAbort);
    });
    aborted.catch(() => undefined);
    try {
      return await Promise.race([fn(), aborted]);
    } finally {
      off();
    }
  }

  close(): void {
    clearTimeout(this.timer);
  }
}
