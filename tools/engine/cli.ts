/**
 * npm run engine -- install
 * npm run engine -- <preview|up|refresh|destroy> <stack> [--policy-pack] [--state DIR] [-- pulumi args]
 *
 * Runs the real Pulumi CLI against a local file backend with the offline provider plugins.
 */
import * as path from "path";
import { ensureCli, EngineInstallError } from "./install";
import { policyPackArgs } from "./policy";
import { EngineWorkspace } from "./workspace";

const USAGE = `usage: npm run engine -- install
       npm run engine -- <preview|up|refresh|destroy> <stack> [--project bootstrap] [--policy-pack] [--state DIR] [--secrets FILE] [-- pulumi args]

  install        find or build the Pulumi CLI that matches @pulumi/pulumi (cached under ~/.cache)
  --project bootstrap  a stack of bootstrap/ (e.g. main); an app stack deploys its bootstrap stack first
  --policy-pack  run the policy pack (policy/) with the stack's tier config
  --state DIR    keep the file backend in DIR, so a later run sees this one's state
  --secrets FILE plaintext secret values (YAML key: value) instead of placeholders`;

const COMMANDS: Record<string, string[]> = {
  preview: ["preview", "--diff"],
  up: ["up", "--yes", "--skip-preview"],
  refresh: ["refresh", "--yes", "--skip-preview"],
  destroy: ["destroy", "--yes", "--skip-preview"],
};

async function main(argv: string[]): Promise<number> {
  const dash = argv.indexOf("--");
  const [own, extra] = dash >= 0 ? [argv.slice(0, dash), argv.slice(dash + 1)] : [argv, []];
  if (own.includes("--help") || own.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const [command, stack] = own;
  if (command === "install") {
    console.log(path.join(await ensureCli(), "pulumi"));
    return 0;
  }
  if (!COMMANDS[command] || !stack) {
    console.error(`engine: ${command ? `unknown command "${command}"` : "no command"}\n${USAGE}`);
    return 2;
  }
  const flag = (name: string) => {
    const i = own.indexOf(name);
    return i >= 0 ? own[i + 1] : undefined;
  };
  const state = flag("--state");
  const project = flag("--project") === "bootstrap" ? "bootstrap" : "app";
  const ws = await EngineWorkspace.create({ dir: state, echo: true });
  try {
    const stacks = await ws.pulumi(["stack", "ls", "--json"], { quiet: true, project });
    const exists = stacks.status === 0 && (JSON.parse(stacks.stdout || "[]") as { name: string }[]).some((s) => s.name === stack);
    if (!exists) await ws.initStack(stack, { secretsFile: flag("--secrets"), project });
    const policy = own.includes("--policy-pack") && project === "app" ? policyPackArgs(stack) : [];
    const res = await ws.pulumi([...COMMANDS[command], "--stack", stack, ...policy, ...extra], { project });
    return res.status;
  } finally {
    if (!state) await ws.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof EngineInstallError ? `engine: ${e.message}` : `engine: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
