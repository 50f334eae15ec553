/**
 * Offline policy audit: renders a stack's plan (or reads one) and runs the policy pack's rules.
 *
 *   npm run audit -- <stack> [--config FILE] [--secrets FILE] [--json FILE]
 *   npm run audit -- --plan PLAN.json [--json FILE]     # audit a plan written by `npm run plan -- --json`
 *
 * Exit status: 0 all mandatory rules pass (advisory failures are printed only); 1 a mandatory rule
 * failed; 2 usage error, invalid config or unreadable plan.
 */
import * as fs from "fs";
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

const USAGE =
  "usage: npm run audit -- <stack> [--config FILE] [--secrets FILE] [--json FILE]\n" +
  "       npm run audit -- --plan PLAN.json [--json FILE]\n";

interface Args {
  stack?: string;
  config?: string;
  secrets?: string;
  json?: string;
  plan?: string;
}

export function parseArgs(argv: string[]): Args {
  const args: Args = {};
  const flags: Record<string, keyof Args> = { "--config": "config", "--secrets": "secrets", "--json": "json", "--plan": "plan" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    if (flag in flags) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new AuditInputError(`${flag} needs a value`);
      args[flags[flag]] = value;
    } else if (a.startsWith("-")) {
      throw new AuditInputError(`unknown option ${a}`);
    } else if (args.stack === undefined) {
      args.stack = a;
    } else {
      throw new AuditInputError(`unexpected argument ${a}`);
    }
  }
  if (!args.stack && !args.plan) throw new AuditInputError("a stack name (or --plan FILE) is required");
  if (args.plan && (args.stack || args.config || args.secrets)) {
    throw new AuditInputError("--plan cannot be combined with a stack, --config or --secrets");
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
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    if (args.plan) {
      plan = JSON.parse(fs.readFileSync(args.plan, "utf8")) as Plan;
    } else {
      const render = io.renderPlan ?? (await defaultRenderPlan());
      plan = await render({ stack: args.stack!, configFile: args.config, secretsFile: args.secrets });
    }
  } catch (e) {
    io.err(`cannot get a plan: ${(e as Error).message}\n`);
    return 2;
  }
  let result;
  try {
    result = runAudit(plan);
  } catch (e) {
    if (e instanceof AuditInputError) {
      io.err(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  io.out(formatAudit(result));
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(result, null, 2) + "\n");
  return result.passed ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = 2;
    },
  );
}
