/**
 * npm run release -- verify <stack> [--outputs FILE]
 * npm run release -- rollback <stack> [--to <sha256:digest|previous>] [--dry-run] [--outputs FILE]
 * npm run release -- rollback <stack> --via pulumi [--to <sha256:digest|previous>] [--dry-run]
 *
 * Reads the stack's outputs (`pulumi stack output --json`, or FILE) and talks to ECS with the
 * ambient AWS credentials. Bad input fails with one line before anything is deployed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import { ECSClient } from "@aws-sdk/client-ecs";
import YAML from "yaml";
import { rollbackViaPulumi } from "./pulumiRollback";
import { IMAGE_CONFIG_KEYS, ReleaseError, releasedFromOutputs, rollback, verify } from "./release";

const USAGE = "usage: npm run release -- <verify|rollback> <stack> [--to <sha256:digest|previous>] [--via ecs|pulumi] [--dry-run] [--outputs FILE]";

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function stackOutputs(stack: string, file?: string): Record<string, unknown> {
  if (file) return JSON.parse(fs.readFileSync(file, "utf8"));
  const run = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { encoding: "utf8" });
  if (run.error && (run.error as NodeJS.ErrnoException).code === "ENOENT")
    throw new ReleaseError("release: needs the Pulumi CLI to read the stack outputs (or --outputs FILE)");
  if (run.status !== 0) throw new ReleaseError(`release: pulumi stack output --stack ${stack} failed: ${run.stderr.trim().split("\n").pop()}`);
  return JSON.parse(run.stdout);
}

async function main(argv: string[]): Promise<number> {
  const [command, stack] = argv;
  if (!["verify", "rollback"].includes(command) || !stack || stack.startsWith("--")) {
    console.error(USAGE);
    return 2;
  }
  const via = option(argv, "--via") ?? "ecs";
  if (!["ecs", "pulumi"].includes(via) || (via === "pulumi" && command !== "rollback")) {
    console.error(USAGE);
    return 2;
  }
  try {
    if (via === "pulumi") return await pulumiRollback(stack, option(argv, "--to") ?? "previous", argv.includes("--dry-run"));
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
      console.log(
        failed.length ? `release of ${stack} FAILED: ${failed.map((v) => v.service).join(", ")}` : `release of ${stack} healthy; recorded as a rollback target`,
      );
      return failed.length ? 1 : 0;
    }
    const steps = await rollback(ecs, stack, released, option(argv, "--to") ?? "previous", { dryRun: argv.includes("--dry-run") });
    if (steps.length === 0) {
      console.log(`rollback of ${stack}: every service already runs that release; nothing deployed`);
      return 0;
    }
    for (const s of steps) console.log(`${argv.includes("--dry-run") ? "would roll" : "rolled"} ${s.service}: ${s.from} -> ${s.to}`);
    console.log("next: `npm run release -- verify " + stack + "`, then make the stack file agree, or the next `pulumi up` re-deploys the bad image:");
    for (const s of steps)
      if (IMAGE_CONFIG_KEYS[s.service]) console.log(`  pulumi config set chatbot:${IMAGE_CONFIG_KEYS[s.service]} ${s.to} --stack ${stack}`);
    return 0;
  } catch (e) {
    if (e instanceof ReleaseError) {
      console.error(e.message);
      return 1;
    }
    // A Pulumi CLI failure (no CLI, no such stack, a failed update): its first line, not a stack trace.
    if (via === "pulumi") {
      console.error(
        `release: pulumi: ${
          String((e as Error).message ?? e)
            .split("\n")
            .find((l) => l.trim()) ?? e
        }`,
      );
      return 1;
    }
    throw e;
  }
}

/** The rollback as a Pulumi update of the stack in this directory (pulumiRollback.ts). */
async function pulumiRollback(stack: string, to: string, dryRun: boolean): Promise<number> {
  const project = (YAML.parse(fs.readFileSync("Pulumi.yaml", "utf8")) as { name: string }).name;
  const res = await rollbackViaPulumi({
    stack,
    workDir: process.cwd(),
    project,
    to,
    dryRun,
    imageKeys: Object.values(IMAGE_CONFIG_KEYS),
    onOutput: (l) => process.stderr.write(l),
  });
  if (res.steps.length === 0) {
    console.log(`rollback of ${stack}: the config already has the images of the update of ${res.fromUpdate.toISOString()}; nothing deployed`);
    return 0;
  }
  for (const s of res.steps) console.log(`${dryRun ? "would set" : "set"} ${s.key}: ${s.from} -> ${s.to}`);
  if (res.changes)
    console.log(
      `deployed the images of the update of ${res.fromUpdate.toISOString()}: ${Object.entries(res.changes)
        .map(([op, n]) => `${op} ${n}`)
        .join(", ")}`,
    );
  if (!dryRun) console.log(`next: \`npm run release -- verify ${stack}\`, and commit Pulumi.${stack}.yaml (it now names these images)`);
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
