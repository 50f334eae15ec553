import { Run, readBounds } from "./bounds";
import { backupCommand } from "./commands/backup";
import { drillCommand } from "./commands/drill";
import { listCommand } from "./commands/list";
import { restoreCommand } from "./commands/restore";
import { verifyCommand } from "./commands/verify";
import { EXIT, unknown } from "../../tools/cli/args";
import { readJobEnv } from "./env";
import { JobError, oneLine } from "./errors";
import { processRuntime, Runtime } from "./runtime";
import { CronMonitor } from "./sentry";

const USAGE = `usage: backup-job <command> [options]
  backup                                   dump DATABASE_URL (and CHROMA_DATA_DIR) to s3://BACKUP_BUCKET/BACKUP_PREFIX/<timestamp>/
  list                                     backups under the prefix, newest first
  verify [--from <id>|latest] [--max-age 26h] [--max-shrink-percent 50]
                                           download and check every object against the manifest
  restore --from <timestamp>|latest --database-url URL [--chroma-dir DIR] [--force] [--max-age 26h]
  drill [--from <id>|latest] [--max-age 26h]
                                           restore into a scratch database on DRILL_ADMIN_URL's server, compare, time, drop`;

/** The command's own options, read off its usage lines, so a typo names the nearest one. */
function commandOptions(command: string): string[] {
  const lines = USAGE.split("\n");
  const start = lines.findIndex((l) => l.trim().startsWith(`${command} `) || l.trim() === command);
  const own = [lines[start] ?? "", ...lines.slice(start + 1).filter((l) => /^\s{20,}/.test(l))];
  return [...new Set(own.join(" ").match(/--[a-z-]+/g) ?? [])];
}

export type Command = (argv: string[], env: NodeJS.ProcessEnv, rt: Runtime, run: Run) => Promise<unknown>;

const COMMANDS: Record<string, Command> = { backup: backupCommand, list: listCommand, verify: verifyCommand, restore: restoreCommand, drill: drillCommand };

/** Runs one command; returns the exit code. Failures are one line on stderr (stack only with DEBUG). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, rt: Runtime = processRuntime()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    rt.out(USAGE);
    return EXIT.ok;
  }
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    rt.err(
      `backup-job: ${command ? unknown("command", command, Object.keys(COMMANDS)).message : `no command; commands: ${Object.keys(COMMANDS).join(", ")}`}\n${USAGE}`,
    );
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    rt.out(USAGE);
    return EXIT.ok;
  }
  // A misspelt option is a usage error before anything reads the environment or checks in.
  const options = commandOptions(command);
  const stray = rest.find((a) => a.startsWith("--") && !options.includes(a.split("=")[0]));
  if (stray) {
    rt.err(`backup-job ${command}: ${unknown("option", stray.split("=")[0], options).message}`);
    return EXIT.usage;
  }
  let job: Run | undefined;
  let monitor: CronMonitor | undefined;
  try {
    job = new Run(readBounds(env), rt.stop);
    // list only reads; the others are what an alert must cover (a verify that hangs too).
    const sentry = command === "list" ? undefined : readJobEnv(env, command).sentry;
    if (sentry) monitor = CronMonitor.fromDsn(sentry.dsn, sentry.monitorSlug, rt.err, sentry.monitorConfig, sentry.environment);
    await monitor?.checkIn("in_progress");
    await run(rest, env, rt, job);
    await monitor?.checkIn("ok");
    return EXIT.ok;
  } catch (caught) {
    // An abort (deadline, SIGTERM) makes downstream steps fail too ("pg_dump failed (SIGTERM)");
    // the abort's own reason is the one line worth printing.
    const err = job?.reason ?? caught;
    await monitor?.checkIn("error");
    // AWS errors carry their meaning in the name (NoSuchBucket, AccessDenied); ours need no prefix.
    const name = err instanceof Error && !(err instanceof JobError) && err.name !== "Error" ? `${err.name}: ` : "";
    rt.err(`backup-job ${command}: ${name}${oneLine(err)}`);
    if (env.DEBUG && err instanceof Error && err.stack) rt.err(err.stack);
    return err instanceof JobError ? err.exitCode : EXIT.failed;
  } finally {
    job?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`backup-job: ${oneLine(err)}\n`);
      process.exit(1);
    },
  );
}
