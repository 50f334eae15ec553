/**
 * `npm run preview-stack -- up|destroy|sweep ...`: ephemeral `pr-<number>` stacks.
 * Decisions live in decisions.ts, Pulumi calls in automation.ts; this file only wires them.
 *
 * Exit status: 0 done; 1 failed (Pulumi CLI missing, a Pulumi error, missing secrets);
 * 2 bad invocation (nothing was called).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { EXIT, failureLine } from "../cli/args";
import { progress } from "../cli/progress";
import { parseArgs, USAGE } from "./args";
import { printReport } from "../preflight/cli";
import { preflight } from "../preflight/preflight";
import { connect as realConnect, PreviewBackend } from "./automation";
import { PlanFacts, planFacts as realPlanFacts, previewComment } from "./comment";
import { checkPreviewTier, destroyPreview, upPreview } from "./lifecycle";
import {
  CLI_MISSING_MESSAGE,
  decideSweep,
  derivePreviewConfig,
  isCliMissing,
  previewTags,
  PreviewStackError,
  secretKeys,
  SOURCE_STACK,
  stackNameFor,
  UsageError,
} from "./decisions";
import { previewStackSettings } from "./environments";

export interface CliDeps {
  connect: (workDir: string) => Promise<PreviewBackend>;
  workDir: string;
  now: () => Date;
  out: (text: string) => void;
  err: (text: string) => void;
  /** File to append `key=value` step outputs to (GitHub Actions' $GITHUB_OUTPUT), if any. */
  githubOutput?: string;
  /**
   * `npm run preflight -- <stack>` before anything is created: false refuses the preview (the
   * account's quotas would not fit it, a name is taken). Absent, no preflight runs.
   */
  preflight?: (stack: string, out: (line: string) => void) => Promise<boolean>;
  /** The offline plan's facts for the PR comment (default: render pr-<n> here, as `npm run plan`). */
  planFacts?: (stack: string) => Promise<PlanFacts>;
}

/** The real preflight, in this process: the preview template's plan against the account. */
export async function accountPreflight(stack: string, out: (line: string) => void): Promise<boolean> {
  const report = await preflight({ stack });
  printReport(report, { out: (l) => out(`preflight: ${l}`), err: (l) => out(`preflight: ${l}`) });
  return report.problems.length === 0;
}

function readYaml(file: string, required: boolean): unknown {
  if (!fs.existsSync(file)) {
    if (required) throw new PreviewStackError(`${path.basename(file)} not found in ${path.dirname(file)}`);
    return undefined;
  }
  try {
    return YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new PreviewStackError(`${path.basename(file)}: ${(e as Error).message.split("\n")[0]}`);
  }
}

export async function run(argv: string[], deps: CliDeps): Promise<number> {
  let cmd;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      deps.err(`${failureLine("preview-stack", e)}\n${USAGE}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  if (cmd.kind === "help") {
    deps.out(`${USAGE}\n\nexit status: 0 done, 1 failed (Pulumi CLI missing, a Pulumi error, missing secrets), 2 usage error\n`);
    return EXIT.ok;
  }
  const stream = (text: string) => deps.out(text);
  try {
    const backend = await deps.connect(deps.workDir);
    // Before anything is read or created: a preview that would not fit the account creates nothing.
    if (cmd.kind === "up" && !cmd.skipPreflight && deps.preflight) {
      const stack = stackNameFor(cmd.pr);
      if (!(await deps.preflight(stack, (l) => deps.err(`preview-stack: ${l}\n`)))) {
        deps.err(`preview-stack: ${stack} refused: the preflight found problems (above); nothing was created\n`);
        return EXIT.failed;
      }
    }

    if (cmd.kind === "up") {
      const stack = stackNameFor(cmd.pr);
      const root = deps.workDir;
      const template = readYaml(path.join(root, "Pulumi.preview.yaml"), true);
      const keys = secretKeys({
        sourceStackFile: readYaml(path.join(root, `Pulumi.${SOURCE_STACK}.yaml`), false),
        projectFile: readYaml(path.join(root, "Pulumi.yaml"), false),
      });
      const settings = previewStackSettings(template, root, process.env);
      const sourceConfig = keys.some((k) => !settings.suppliedKeys.includes(k)) ? await backend.readConfig(SOURCE_STACK) : {};
      const derived = derivePreviewConfig({ template, sourceConfig, secretKeys: keys, suppliedByEnvironments: settings.suppliedKeys });
      for (const n of [...settings.notes, ...derived.notes]) deps.err(`preview-stack: note: ${n}\n`);
      // Refusals come before any change: not the preview tier, or a lender that is not deployed.
      await checkPreviewTier(backend, stack, derived.config);
      const facts = await (deps.planFacts ?? realPlanFacts)(stack);
      const existingTags = await backend.readTags(stack);
      const now = deps.now();
      const tags = previewTags(cmd.pr, now, cmd.ttlHours, existingTags ?? {});
      deps.err(
        `preview-stack: ${stack}: ${Object.keys(derived.config).length} config keys, ` +
          `${derived.copiedSecrets.length} secrets copied from ${SOURCE_STACK}` +
          `${settings.environments.length ? `, ESC environments ${settings.environments.join(", ")}` : ""}, time-to-live ${cmd.ttlHours} h\n`,
      );
      const outputs = await upPreview(backend, stack, derived.config, tags, {
        policyPacks: cmd.policyPacks,
        policyPackConfigs: cmd.policyPackConfigs,
        onOutput: stream,
        environments: settings.environments,
        secretsProvider: settings.secretsProvider,
        existed: existingTags !== null,
      });
      const apiUrl = typeof outputs.apiUrl === "string" ? outputs.apiUrl : undefined;
      deps.out(`preview-stack: ${stack} is up${apiUrl ? ` at ${apiUrl}` : ""}\n`);
      const comment = previewComment({ stack, url: apiUrl, ttlHours: cmd.ttlHours, expiresAt: new Date(now.getTime() + cmd.ttlHours * 3_600_000), facts });
      const commentFile = path.join(fs.mkdtempSync(path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "preview-comment-")), `${stack}.md`);
      fs.writeFileSync(commentFile, comment);
      deps.out(`preview-stack: PR comment written to ${commentFile}\n`);
      if (deps.githubOutput) fs.appendFileSync(deps.githubOutput, `stack=${stack}\n${apiUrl ? `api-url=${apiUrl}\n` : ""}comment-file=${commentFile}\n`);
      return 0;
    }

    if (cmd.kind === "destroy") {
      const stack = stackNameFor(cmd.pr);
      const existed = await destroyPreview(backend, stack, stream);
      deps.out(existed ? `preview-stack: ${stack} destroyed and removed\n` : `preview-stack: ${stack} does not exist; nothing to do\n`);
      return 0;
    }

    // --stack: only that stack, decided afresh (sweep.yml runs it inside the stack's concurrency group).
    const decisions = decideSweep(await backend.list(), deps.now(), cmd.olderThanHours).filter((d) => !cmd.stack || d.name.split("/").pop() === cmd.stack);
    if (cmd.stack && decisions.length === 0) deps.out(`preview-stack: ${cmd.stack} does not exist; nothing to do\n`);
    const expired = decisions.filter((d) => d.expired).map((d) => d.name.split("/").pop());
    if (deps.githubOutput) fs.appendFileSync(deps.githubOutput, `expired=${JSON.stringify(expired)}\n`);
    let failed = 0;
    // Each destroy takes minutes: say which of how many, with an estimate.
    const bar = progress(decisions.filter((d) => d.expired).length, { write: (l) => deps.err(`preview-stack: ${l}\n`) });
    for (const d of decisions) {
      deps.out(`preview-stack: ${d.name}: ${d.expired ? (cmd.dryRun ? "would destroy" : "destroying") : "keeping"} (${d.reason})\n`);
      if (!d.expired || cmd.dryRun) continue;
      bar.step(`destroy ${d.name}`);
      try {
        await destroyPreview(backend, d.name, stream);
      } catch (e) {
        if (isCliMissing(e)) throw e;
        failed++;
        deps.err(`preview-stack: ${d.name}: destroy failed: ${(e as Error).message.split("\n")[0]}\n`);
      }
    }
    const n = decisions.filter((d) => d.expired).length;
    deps.out(`preview-stack: sweep: ${n} expired of ${decisions.length} preview stacks${failed ? `, ${failed} failed` : ""}\n`);
    return failed > 0 ? 1 : 0;
  } catch (e) {
    if (isCliMissing(e)) {
      deps.err(`${CLI_MISSING_MESSAGE}\n`);
      return 1;
    }
    if (e instanceof PreviewStackError || e instanceof UsageError) {
      deps.err(`preview-stack: ${e.message}\n`);
      return 1;
    }
    deps.err(`${failureLine("preview-stack", e)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  run(process.argv.slice(2), {
    connect: realConnect,
    workDir: path.resolve(__dirname, "..", ".."),
    now: () => new Date(),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    githubOutput: process.env.GITHUB_OUTPUT,
    preflight: accountPreflight,
  }).then((code) => {
    process.exitCode = code;
  });
}
