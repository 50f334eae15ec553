/**
 * A failure whose message is meant for the operator as is: the CLI prints it as one line
 * and exits non-zero. Anything else is a bug and also gets one line, plus its stack under DEBUG.
 */
export class JobError extends Error {
  /** The process's exit status for this failure: 1, or 128 + n when a signal stopped the run. */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "JobError";
  }
}

/** One line, whatever the error: multi-line messages (pg_dump's stderr, SDK errors) are folded. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.replace(/\s*\n\s*/g, " | ").trim();
}
