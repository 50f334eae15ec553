/**
 * npm run bench [-- --skip-tests]
 * npm run bench -- backup [--sizes 100M,1G,3G]   (only the backup job's figures, see backupSizes.ts)
 *
 * One run, one figure per line, of what issue 19 measures: the plan against its module-load floor
 * and the stack diff (each the median of three runs), the real engine's preview per stack,
 * `npm test`, and the backup job's throughput. Figures are printed, never asserted: timed tests
 * fail on a busy machine.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { backupAtSizes, parseSize } from "./backupSizes";
import { backupThroughput } from "./backupThroughput";
import { EngineWorkspace } from "../engine/workspace";

const ROOT = path.resolve(__dirname, "../..");
const TSX = ["--max-semi-space-size=64", "--import", "tsx"];

/** Wall-clock seconds of a command run from the repository root; throws if it fails. */
function timed(file: string, args: string[], what: string): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, FORCE_COLOR: "0" } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(-2000)}`);
  return seconds;
}

const s = (n: number) => `${n.toFixed(1)} s`;

/** The quick figures are the median of a few runs: one run on a 2-core machine swings by a third. */
const RUNS = 3;

function median(runs: number, run: () => number): { median: number; min: number; max: number } {
  const times = Array.from({ length: runs }, run).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const spread = (m: { min: number; max: number }) => `, median of ${RUNS} (${m.min.toFixed(1)}-${m.max.toFixed(1)} s)`;

/**
 * The real Pulumi CLI's `pulumi preview` of a stack against a fresh local backend, with the offline
 * providers, timed apart from setting the workspace up (project copy, plugins, the bootstrap
 * stack's `up`, the stack's config), which a deployed stack has behind it. Staging only: prod's
 * secret-sharing guard and the preview tier's stack reference both need a deployed staging
 * (test/engine/preview-stacks.test.ts times that path).
 */
export async function enginePreview(stack: string): Promise<{ setup: number; preview: number }> {
  const started = process.hrtime.bigint();
  const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;
  const ws = await EngineWorkspace.create();
  try {
    await ws.initStack(stack);
    const setup = since(started);
    const ready = process.hrtime.bigint();
    const res = await ws.pulumi(["preview", "--stack", stack]);
    if (res.status !== 0) throw new Error(`engine preview ${stack} failed (exit ${res.status}):\n${(res.stderr || res.stdout).slice(-2000)}`);
    return { setup, preview: since(ready) };
  } finally {
    await ws.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const line = (label: string, value: string) => console.log(`${label.padEnd(24)} ${value}`);
  console.log(
    `bench of ${path.basename(ROOT)} on ${process.platform} with ${require("os").cpus().length} cores, Node ${process.version}, load ${require("os").loadavg()[0].toFixed(1)}`,
  );
  if (argv[0] === "backup") {
    const i = argv.indexOf("--sizes");
    const sizes = (i >= 0 ? (argv[i + 1] ?? "") : "100M,1G,3G").split(",").map(parseSize);
    return backupAtSizes(sizes, line);
  }
  const floor = median(RUNS, () => timed(process.execPath, [...TSX, "tools/bench/loadFloor.ts"], "module load"));
  const plan = median(RUNS, () => timed(process.execPath, [...TSX, "tools/plan/cli.ts", "staging"], "plan staging"));
  line("plan staging", `${s(plan.median)} = ${(plan.median / floor.median).toFixed(2)} x the module-load floor (${s(floor.median)})${spread(plan)}`);
  const diff = median(RUNS, () => timed(process.execPath, [...TSX, "tools/plan/cli.ts", "diff", "staging", "prod"], "plan diff"));
  line("diff staging prod", `${s(diff.median)}${spread(diff)}`);
  timed("npm", ["run", "-s", "engine", "--", "install"], "engine install");
  for (const stack of ["staging"]) {
    const { setup, preview } = await enginePreview(stack);
    line(
      `engine preview ${stack}`,
      `${s(preview)} = ${(preview / plan.median).toFixed(1)} x the offline plan (after ${s(setup)} of workspace setup: bootstrap up, config)`,
    );
  }
  line("npm test", argv.includes("--skip-tests") ? "skipped (--skip-tests)" : s(timed("npm", ["test"], "npm test")));
  const b = await backupThroughput();
  line("backup job", `${(b.mib / b.seconds).toFixed(1)} MiB/s (${b.mib} MiB of incompressible rows, pg_dump -Fc to s3rver, in ${s(b.seconds)})`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
