/** `npm run preview-stack` arguments: which command, its PR number and flags (tools/cli conventions). */
import { parseFlags, unknown, UsageError } from "../cli/args";
import { DEFAULT_TTL_HOURS, parsePrNumber, prNumberOf } from "./decisions";

export type Command =
  | { kind: "help" }
  | { kind: "up"; pr: number; ttlHours: number; policyPacks: string[]; policyPackConfigs: string[]; skipPreflight?: true }
  | { kind: "destroy"; pr: number }
  | { kind: "sweep"; olderThanHours?: number; dryRun: boolean; stack?: string };

export const USAGE = [
  "usage: npm run preview-stack -- up <pr-number> [--ttl <hours>] [--policy-pack <dir>] [--policy-pack-config <file>] [--skip-preflight]",
  "       npm run preview-stack -- destroy <pr-number>",
  "       npm run preview-stack -- sweep [--older-than <hours>] [--dry-run] [--stack pr-<number>]",
].join("\n");

function hours(flag: string, raw: string | undefined): number {
  const n = raw !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} needs a number of hours, got ${JSON.stringify(raw ?? "")}`);
  return n;
}

const VERBS = ["up", "destroy", "sweep"];

export function parseArgs(argv: string[]): Command {
  const [verb, ...rest] = argv;
  if (verb === "--help" || verb === "-h" || verb === "help") return { kind: "help" };
  if (verb === undefined) throw new UsageError("missing command");
  if (!VERBS.includes(verb)) throw unknown("command", verb, VERBS);
  const parsed = parseFlags(rest, {
    ttl: { type: "string", multiple: true },
    "older-than": { type: "string", multiple: true },
    "policy-pack": { type: "string", multiple: true },
    "policy-pack-config": { type: "string", multiple: true },
    "dry-run": { type: "boolean" },
    stack: { type: "string" },
    "skip-preflight": { type: "boolean" },
  });
  if (parsed.help) return { kind: "help" };
  const positional = parsed.positionals;
  const flags = parsed.values as Record<string, string[] | boolean | undefined>;
  const list = (name: string) => (flags[name] as string[] | undefined) ?? [];
  const allow = (ok: string[]) => {
    for (const f of Object.keys(flags)) if (!ok.includes(f)) throw new UsageError(`--${f} is not an option of ${verb}`);
  };
  const onePositional = () => {
    if (positional.length !== 1) throw new UsageError(`${verb} takes exactly one PR number`);
    return parsePrNumber(positional[0]);
  };
  switch (verb) {
    case "up":
      allow(["ttl", "policy-pack", "policy-pack-config", "skip-preflight"]);
      return {
        kind: "up",
        pr: onePositional(),
        ttlHours: flags.ttl ? hours("--ttl", list("ttl").at(-1)) : DEFAULT_TTL_HOURS,
        policyPacks: list("policy-pack"),
        policyPackConfigs: list("policy-pack-config"),
        // Only for runs with no AWS account behind them (the engine tests' offline providers).
        ...(flags["skip-preflight"] === true ? { skipPreflight: true as const } : {}),
      };
    case "destroy":
      allow([]);
      return { kind: "destroy", pr: onePositional() };
    default: {
      allow(["older-than", "dry-run", "stack"]);
      if (positional.length > 0) throw new UsageError(`sweep takes no positional argument, got ${positional.join(" ")}`);
      const stack = parsed.values.stack;
      if (stack !== undefined && prNumberOf(stack) === null)
        throw new UsageError(`--stack must name a preview stack pr-<number>, got ${JSON.stringify(stack)}`);
      return {
        kind: "sweep",
        olderThanHours: flags["older-than"] ? hours("--older-than", list("older-than").at(-1)) : undefined,
        dryRun: flags["dry-run"] === true,
        stack,
      };
    }
  }
}
