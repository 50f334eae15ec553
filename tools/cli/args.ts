/**
 * What every command of this repository shares, so they behave alike (issue 18, item 6):
 * `--help`/`-h` prints usage and exits 0; a misspelt flag, command or stack names the nearest
 * valid one; exit 0 ok, 1 a failed check, finding or run, 2 a wrong invocation (nothing was done);
 * failures are one line with one `<tool>:` prefix. Dependency-free: the job images bundle it.
 */

export const EXIT = {
  /** Done; every check passed. */
  ok: 0,
  /** Ran and found a problem: a failed check or rule, an invalid stack config, an error. */
  failed: 1,
  /** Not run as it must be (arguments, flags, environment it needs): nothing was done. */
  usage: 2,
} as const;

/** A wrong invocation: exit 2 with the message (and usage) on stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Levenshtein distance, small inputs only (flag, command and stack names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidate nearest to `word`, if it is close enough to be a typo: at most a third of the
 * word's length in edits (at least 1, so `stagin` -> `staging`), or a prefix of at least 3 letters.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  if (!best) return undefined;
  if (best.d <= Math.max(1, Math.floor(w.length / 3))) return best.c;
  const prefixed = candidates.filter((c) => w.length >= 3 && c.toLowerCase().startsWith(w));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `unknown X "foo"; did you mean "for"?` or, without a near one, the list of valid ones. */
export function unknown(what: string, word: string, candidates: readonly string[]): UsageError {
  const near = nearest(word, candidates);
  const hint = near ? `; did you mean ${JSON.stringify(near)}?` : candidates.length ? ` (one of: ${candidates.join(", ")})` : "";
  return new UsageError(`unknown ${what} ${JSON.stringify(word)}${hint}`);
}

export type FlagSpec = Record<string, { readonly type: "string" | "boolean"; readonly multiple?: boolean }>;

type FlagValue<O> = O extends { type: "boolean" } ? boolean : O extends { multiple: true } ? string[] : string;

export interface ParsedFlags<S extends FlagSpec = FlagSpec> {
  values: { [K in keyof S]?: FlagValue<S[K]> };
  positionals: string[];
  help: boolean;
}

/**
 * `--name value`, `--name=value`, boolean `--name`, `--help`/`-h`, `--` ends the flags. Stricter
 * than util.parseArgs where it matters here: an unknown flag suggests the nearest known one.
 */
export function parseFlags<const S extends FlagSpec>(argv: readonly string[], spec: S): ParsedFlags<S> {
  const values: Record<string, string | boolean | string[]> = {};
  const positionals: string[] = [];
  let help = false;
  const names = Object.keys(spec).map((n) => `--${n}`);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a === "--help" || a === "-h") {
      help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const opt = flag.startsWith("--") ? spec[flag.slice(2)] : undefined;
    if (!opt) throw unknown("option", flag, names);
    const name = flag.slice(2);
    if (opt.type === "boolean") {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      values[name] = true;
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "" || (eq < 0 && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
    if (opt.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    else values[name] = value;
  }
  return { values: values as ParsedFlags<S>["values"], positionals, help };
}

/** `<tool>: <message>` once, however many layers already prefixed it. */
export function failureLine(tool: string, err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  const prefix = `${tool}: `;
  while (message.startsWith(prefix)) message = message.slice(prefix.length);
  return `${prefix}${message}`;
}
