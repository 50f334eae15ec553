/** One finding of the preflight: printed as one line naming the resource, the argument, the problem and the fix. */
export interface Problem {
  /** The plan's resource (logical name) or the account-level thing (a quota, a tool). */
  resource: string;
  /** The argument or quota concerned. */
  argument: string;
  problem: string;
  fix: string;
}

export interface Findings {
  problems: Problem[];
  /** What could not be checked and why: printed, but not a failure. */
  notes: string[];
}

export const line = (p: Problem) => `${p.resource}: ${p.argument}: ${p.problem}; fix: ${p.fix}`;

/** The error's name and first line, for a problem or note that quotes an AWS answer. */
export function awsError(e: unknown): string {
  const err = e as { name?: string; message?: string };
  return `${err?.name ?? "Error"}: ${String(err?.message ?? e).split("\n")[0]}`;
}

export const errorName = (e: unknown) => (e as { name?: string })?.name ?? "";
export const httpStatus = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
