/**
 * npm run preflight -- <stack> [--config FILE] [--secrets FILE]
 * Checks, read-only, what the stack needs of the AWS account before `pulumi up` (preflight.ts).
 *
 * Exit status (tools/cli/args.ts): 0 nothing in the way; 1 a problem (one line each) or an
 * invalid config; 2 usage (unknown flag or stack: nothing checked).
 */
import * as fs from "fs";
import { EXIT, failureLine, parseFlags, UsageError } from "../cli/args";
import { requireStack } from "../cli/stacks";
import { isConfigError } from "../plan/cli";
import { preflight, Report } from "./preflight";
import { line } from "./problem";
import { PREVIEW_STACK } from "./quotaCheck";

export const USAGE = `usage: npm run preflight -- <stack> [--config FILE] [--secrets FILE]

Checks what the stack needs of the AWS account before \`pulumi up\`, with read-only calls and the
default AWS credentials (AWS_ENDPOINT_URL points them at an emulator): bucket names free or the
stack's own, KMS aliases (the secrets provider's present, the stack's free), the HTTPS
certificate issued for the domain, regional quotas against current usage (open previews named),
the AWS CLI and Docker on PATH. What the stack needs is read from its offline plan.

  <stack>          staging, prod, preview, or pr-<n> (made from Pulumi.preview.yaml)
  --config FILE    read the stack's config from FILE instead of its stack file
  --secrets FILE   YAML map key: value of plaintext secrets instead of placeholders
  -h, --help       this text

exit status: 0 no problem, 1 a problem (one line each) or invalid config, 2 usage error`;

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

export function printReport(report: Report, io: Io): void {
  for (const p of report.problems) io.out(line(p));
  for (const n of report.notes) io.out(`note: ${n}`);
  const tightest = [...report.room].sort((a, b) => a.more - b.more)[0];
  if (tightest && report.problems.length === 0) {
    io.out(`room: ${tightest.more} more stack${tightest.more === 1 ? "" : "s"} like ${report.stack} fit after it (tightest: ${tightest.quota})`);
  }
  const where = `${report.account ? `account ${report.account}, ` : ""}${report.region}`;
  io.out(
    report.problems.length
      ? `preflight of ${report.stack} (${where}): ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"}; fix them before \`pulumi up\``
      : `preflight of ${report.stack} (${where}): ok`,
  );
}

export async function main(argv: string[], io: Io = stdio, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  Error.stackTraceLimit = 1;
  try {
    const { values, positionals, help } = parseFlags(argv, { config: { type: "string" }, secrets: { type: "string" } });
    if (help) {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `one stack at a time, got ${positionals.join(" ")}` : "which stack?");
    const stack = positionals[0];
    if (!values.config && !PREVIEW_STACK.test(stack)) requireStack(stack);
    for (const flag of ["config", "secrets"] as const) {
      const file = values[flag];
      if (file && !fs.existsSync(file)) throw new UsageError(`--${flag} ${file}: no such file`);
    }
    const report = await preflight({ stack, configFile: values.config, secretsFile: values.secrets, env });
    printReport(report, io);
    return report.problems.length ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${failureLine("preflight", e)}\n${USAGE.split("\n\n")[0]}`);
      return EXIT.usage;
    }
    io.err(isConfigError(e) ? e.message : failureLine("preflight", e));
    if (env.DEBUG) io.err(String((e as Error)?.stack ?? e));
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
