/**
 * npm run plan -- <stack> [--config FILE] [--secrets FILE] [--environments DIR] [--json FILE] [--md FILE] [--estimate]
 * npm run plan -- diff <stackA> <stackB>
 * Renders the program offline (runtime mocks: no cloud, no CLI). See DESIGN.md, "Offline plan".
 *
 * Exit status (tools/cli/args.ts): 0 rendered; 1 invalid config or a failed render; 2 usage
 * (unknown flag or stack: nothing rendered).
 */
import * as fs from "fs";
import { EXIT, failureLine, parseFlags, UsageError } from "../cli/args";
import { requireStack } from "../cli/stacks";
import { PROJECTS, renderStack } from "./render";
import { summary } from "./summary";
import { Plan } from "./types";

export const USAGE = `usage: npm run plan -- <stack> [options]
       npm run plan -- diff <stackA> <stackB> [--json FILE] [--keys k1,k2]   (npm run plan -- diff --help)

Renders the stack's program offline (runtime mocks: no cloud, no Pulumi CLI) and prints a summary.

  <stack>          a stack with a Pulumi.<stack>.yaml here (staging, prod, preview)
  --project NAME   app (default) or bootstrap: bootstrap/'s stacks (one per AWS account, e.g. main)
  --config FILE    read the stack's config from FILE instead of Pulumi.<stack>.yaml
  --secrets FILE   YAML map key: value of plaintext secrets instead of placeholders
  --environments DIR  offline copies of the stack's ESC environments, DIR/<project>/<env>.yaml (default esc/)
  --json FILE      write the plan as JSON (deterministic, secrets as "[secret]")
  --md FILE        write a Markdown report for a pull request
  --estimate       add the monthly cost and first-deploy time estimate
  -h, --help       this text

exit status: 0 rendered, 1 invalid config or failed render, 2 usage error`;

export function planJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + "\n";
}

/** Config problems are the user's to fix: one message, exit 1, no stack trace. */
export function isConfigError(e: unknown): e is Error {
  return e instanceof Error && Array.isArray((e as { issues?: unknown }).issues);
}

export interface PlanIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: PlanIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs the CLI and returns its exit status (tests call it; only the entry point exits). */
export async function main(argv: string[], io: PlanIo = stdio): Promise<number> {
  // The SDK captures a stack trace per promise and per resource; the plan uses none of them, and
  // source-mapping deep traces was a third of a render.
  Error.stackTraceLimit = 1;
  try {
    if (argv[0] === "diff") {
      const { diffCommand } = await import("./diffCommand");
      return await diffCommand(argv.slice(1), undefined, io.out);
    }
    const { values, positionals, help } = parseFlags(argv, {
      config: { type: "string" },
      secrets: { type: "string" },
      json: { type: "string" },
      md: { type: "string" },
      estimate: { type: "boolean" },
      environments: { type: "string" },
      project: { type: "string" },
    });
    if (help) {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one stack at a time, got ${positionals.join(" ")}` : "which stack?");
    const stack = positionals[0];
    const project = values.project ?? "app";
    if (!(project in PROJECTS)) throw new UsageError(`--project ${project}: unknown project; known: ${Object.keys(PROJECTS).join(", ")}`);
    // With --config the stack name need not have a file (it names the stack the config is for).
    if (!values.config) requireStack(stack, PROJECTS[project].dir);
    for (const flag of ["config", "secrets", "environments"] as const) {
      const file = values[flag];
      if (file && !fs.existsSync(file)) throw new UsageError(`--${flag} ${file}: no such file`);
    }
    const { plan, config } = await renderStack({
      stack,
      project,
      configFile: values.config,
      secretsFile: values.secrets,
      environmentsDir: values.environments,
    });
    io.out(summary(plan, config));
    if (values.json) {
      fs.writeFileSync(values.json, planJson(plan));
      io.out(`wrote ${values.json}`);
    }
    if (values.md) {
      const { markdownReport } = await import("./markdown");
      fs.writeFileSync(values.md, markdownReport(plan, config));
      io.out(`wrote ${values.md}`);
    }
    if (values.estimate) {
      const { estimateReport } = await import("./estimate");
      io.out("\n" + estimateReport(plan, config));
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${failureLine("plan", e)}\n${USAGE.split("\n\n")[0]}`);
      return EXIT.usage;
    }
    io.err(isConfigError(e) ? e.message : failureLine("plan", e));
    if (process.env.DEBUG) io.err(String((e as Error)?.stack ?? e));
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
