/**
 * npm run plan -- <stack> [--config FILE] [--secrets FILE] [--json FILE] [--md FILE] [--estimate]
 * npm run plan -- diff <stackA> <stackB>
 * Renders the program offline (runtime mocks: no cloud, no CLI). See DESIGN.md, "Offline plan".
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { renderStack } from "./render";
import { summary } from "./summary";
import { Plan } from "./types";

export function planJson(plan: Plan): string {
  return JSON.stringify(plan, null, 2) + "\n";
}

/** Config problems are the user's to fix: one message, exit 1, no stack trace. */
export function isConfigError(e: unknown): e is Error {
  return e instanceof Error && Array.isArray((e as { issues?: unknown }).issues);
}

async function main(argv: string[]): Promise<number> {
  // The SDK captures a stack trace per promise and per resource; the plan uses none of them, and
  // source-mapping deep traces was a third of a render.
  Error.stackTraceLimit = 1;
  if (argv[0] === "diff") {
    const { diffCommand } = await import("./diffCommand");
    return diffCommand(argv.slice(1));
  }
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: {
      config: { type: "string" }, secrets: { type: "string" }, json: { type: "string" }, md: { type: "string" },
      estimate: { type: "boolean" },
    },
  });
  const stack = positionals[0];
  if (!stack || positionals.length > 1) {
    console.error("usage: npm run plan -- <stack> [--config FILE] [--secrets FILE] [--json FILE] [--md FILE] [--estimate]\n       npm run plan -- diff <stackA> <stackB>");
    return 2;
  }
  const { plan, config } = await renderStack({ stack, configFile: values.config, secretsFile: values.secrets });
  console.log(summary(plan, config));
  if (values.json) {
    fs.writeFileSync(values.json, planJson(plan));
    console.log(`wrote ${values.json}`);
  }
  if (values.md) {
    const { markdownReport } = await import("./markdown");
    fs.writeFileSync(values.md, markdownReport(plan, config));
    console.log(`wrote ${values.md}`);
  }
  if (values.estimate) {
    const { estimateReport } = await import("./estimate");
    console.log("\n" + estimateReport(plan, config));
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      if (isConfigError(e)) {
        console.error(e.message);
      } else {
        console.error(`plan: ${e instanceof Error ? e.message : String(e)}`);
        if (process.env.DEBUG) console.error(e);
      }
      process.exit(1);
    },
  );
}
