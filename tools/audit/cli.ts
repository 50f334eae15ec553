/**
 * Offline policy audit: renders a stack's plan (or reads one) and runs the policy pack's rules.
 *
 *   npm run audit -- <stack> [--config FILE] [--secrets FILE] [--json FILE]
 *   npm run audit -- --plan PLAN.json [--json FILE]     # audit a plan written by `npm run plan -- --json`
 *
 * Exit status (tools/cli/args.ts): 0 all mandatory rules pass (advisory failures are printed
 * only); 1 a mandatory rule failed, the config is invalid or the render failed; 2 usage error,
 * an unknown stack, an unreadable --plan file or a plan of an unknown tier.
 */
import * as fs from "fs";
import { EXIT, failureLine, parseFlags } from "../cli/args";
import { requireStack } from "../cli/stacks";
import type { Plan } from "../plan/types";
import { AuditInputError, formatAudit, runAudit } from "./audit";

export { runAudit, formatAudit } from "./audit";
export type { AuditResult, RuleResult, AuditViolation } from "./audit";

export type RenderPlan = (opts: { stack: string; configFile?: string; secretsFile?: string }) => Promise<Plan>;

export interface MainIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The plan renderer; defaults to tools/plan/render's renderPlan. */
  renderPlan?: RenderPlan;
}

export const USAGE = `usage: npm run audit -- <stack> [--config FILE] [--secrets FILE] [--json FILE]
       npm run audit -- --plan PLAN.json [--json FILE]

Runs the policy pack's rules (policy/rules/) against a stack's offline plan, or a plan written
by \`npm run plan -- <stack> --json FILE\`; prints PASS/FAIL per rule with the failing resources.

  --config FILE    the stack's config from FILE instead of Pulumi.<stack>.yaml
  --secrets FILE   YAML map key: value of plaintext secrets instead of placeholders
  --plan FILE      audit this plan instead of rendering a stack
  --json FILE      write the results as JSON
  -h, --help       this text

exit status: 0 every mandatory rule passes, 1 a mandatory rule failed or the config is invalid, 2 usage error
`;

interface Args {
  stack?: string;
  config?: string;
  secrets?: string;
  json?: string;
  plan?: string;
  help?: boolean;
}

export function parseArgs(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseFlags(argv, { config: { type: "string" }, secrets: { type: "string" }, json: { type: "string" }, plan: { type: "string" } });
  } catch (e) {
    throw new AuditInputError((e as Error).message);
  }
  const args: Args = { ...(parsed.values as Omit<Args, "stack" | "help">), help: parsed.help };
  if (parsed.help) return args;
  const [stack, ...extra] = parsed.positionals;
  if (extra.length) throw new AuditInputError(`unexpected argument ${extra[0]}`);
  args.stack = stack;
  if (!args.stack && !args.plan) throw new AuditInputError("a stack name (or --plan FILE) is required");
  if (args.plan && (args.stack || args.config || args.secrets)) {
    throw new AuditInputError("--plan cannot be combined with a stack, --config or --secrets");
  }
  try {
    if (args.stack && !args.config) requireStack(args.stack);
  } catch (e) {
    throw new AuditInputError((e as Error).message);
  }
  return args;
}

/** tools/plan/render's renderPlan, loaded only when needed: `--plan` and the tests run without it. */
async function defaultRenderPlan(): Promise<RenderPlan> {
  return (await import("../plan/render")).renderPlan;
}

/** Runs the CLI; returns the exit status instead of exiting, so tests can call it. */
export async function main(argv: string[], io: MainIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  let plan: Plan;
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    io.err(`${failureLine("audit", e)}\n${USAGE.split("\n\n")[0]}\n`);
    return EXIT.usage;
  }
  if (args.help) {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (args.plan) {
    try {
      plan = JSON.parse(fs.readFileSync(args.plan, "utf8")) as Plan;
    } catch (e) {
      io.err(`audit: cannot read the plan ${args.plan}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  } else {
    try {
      const render = io.renderPlan ?? (await defaultRenderPlan());
      plan = await render({ stack: args.stack!, configFile: args.config, secretsFile: args.secrets });
    } catch (e) {
      // An invalid config is a failed check, as in `npm run plan`: its message lists every bad key.
      const issues = Array.isArray((e as { issues?: unknown }).issues);
      io.err(`${issues ? (e as Error).message : failureLine("audit", e)}\n`);
      return EXIT.failed;
    }
  }
  let result;
  try {
    result = runAudit(plan);
  } catch (e) {
    if (e instanceof AuditInputError) {
      io.err(`${failureLine("audit", e)}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  io.out(formatAudit(result));
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(result, null, 2) + "\n");
  return result.passed ? EXIT.ok : EXIT.failed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(failureLine("audit", e));
      if (process.env.DEBUG) console.error(e);
      process.exitCode = EXIT.failed;
    },
  );
}
