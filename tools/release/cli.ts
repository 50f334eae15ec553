/**
 * npm run release -- verify <stack> [--outputs FILE]
 * npm run release -- rollback <stack> [--to <sha256:digest|previous>] [--dry-run] [--outputs FILE]
 *
 * Reads the stack's outputs (`pulumi stack output --json`, or FILE) and talks to ECS with the
 * ambient AWS credentials. Bad input fails with one line before anything is deployed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IMAGE_CONFIG_KEYS, ReleaseError, releasedFromOutputs, rollback, verify } from "./release";

const USAGE = "usage: npm run release -- <verify|rollback> <stack> [--to <sha256:digest|previous>] [--dry-run] [--outputs FILE]";

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function stackOutputs(stack: string, file?: string): Record<string, unknown> {
  if (file) return JSON.parse(fs.readFileSync(file, "utf8"));
  const run = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" });
  if (run.error && (run.error as NodeJS.ErrnoException).code === "ENOENT") throw new ReleaseError("release: needs the Pulumi CLI to read the stack outputs (or --outputs FILE)");
  if (run.status !== 0) throw new ReleaseError(`release: pulumi stack output --stack ${stack} failed: ${run.stderr.trim().split("\n").pop()}`);
  return JSON.parse(run.stdout);
}

async function main(argv: string[]): Promise<number> {
  const [command, stack] = argv;
  if (!["verify", "rollback"].includes(command) || !stack || stack.startsWith("--")) {
    console.error(USAGE);
    return 2;
  }
  try {
    const outputs = stackOutputs(stack, option(argv, "--outputs"));
    const released = releasedFromOutputs(stack, outputs);
    const ecs = new ECSClient({
      region: process.env.AWS_REGION ?? (outputs.region as string | undefined),
      ...(process.env.AWS_ENDPOINT_URL_ECS ? { endpoint: process.env.AWS_ENDPOINT_URL_ECS } : {}),
    });
    if (command === "verify") {
      const verdicts = await verify(ecs, released);
      for (const v of verdicts) console.log(v.ok ? `ok    ${v.service}` : `FAIL  ${v.service} (${released.services[v.service].name}): ${v.problem}`);
      const failed = verdicts.filter((v) => !v.ok);
      console.log(failed.length ? `release of ${stack} FAILED: ${failed.map((v) => v.service).join(", ")}` : `release of ${stack} healthy; recorded as a rollback target`);
      return failed.length ? 1 : 0;
    }
    const steps = await rollback(ecs, stack, released, option(argv, "--to") ?? "previous", { dryRun: argv.includes("--dry-run") });
    if (steps.length === 0) {
      console.log(`rollback of ${stack}: every service already runs that release; nothing deployed`);
      return 0;
    }
    for (const s of steps) console.log(`${argv.includes("--dry-run") ? "would roll" : "rolled"} ${s.service}: ${s.from} -> ${s.to}`);
    console.log("next: `npm run release -- verify " + stack + "`, then make the stack file agree, or the next `pulumi up` re-deploys the bad image:");
    for (const s of steps) if (IMAGE_CONFIG_KEYS[s.service]) console.log(`  pulumi config set chatbot:${IMAGE_CONFIG_KEYS[s.service]} ${s.to} --stack ${stack}`);
    return 0;
  } catch (e) {
    if (e instanceof ReleaseError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
