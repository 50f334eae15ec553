import { backupCommand } from "./commands/backup";
import { listCommand } from "./commands/list";
import { restoreCommand } from "./commands/restore";
import { verifyCommand } from "./commands/verify";
import { EXIT, unknown } from "../../tools/cli/args";
import { JobError, oneLine } from "./errors";
import { processRuntime, Runtime } from "./runtime";

const USAGE = `usage: backup-job <command> [options]
  backup                                   dump DATABASE_URL (and CHROMA_DATA_DIR) to s3://BACKUP_BUCKET/BACKUP_PREFIX/<timestamp>/
  list                                     backups under the prefix, newest first
  verify [--from <timestamp>|latest]       download and check every object against the manifest
  restore --from <timestamp>|latest --database-url URL [--chroma-dir DIR] [--force]`;

const COMMANDS: Record<string, (argv: string[], env: NodeJS.ProcessEnv, rt: Runtime) => Promise<void>> = {
  backup: backupCommand,
  list: listCommand,
  verify: verifyCommand,
  restore: restoreCommand,
};

/** Runs one command; returns the exit code. Failures are one line on stderr (stack only with DEBUG). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, rt: Runtime = processRuntime()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") {
    rt.out(USAGE);
    return 0;
  }
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    rt.err(`backup-job: ${command ? unknown("command", command, Object.keys(COMMANDS)).message : `no command; commands: ${Object.keys(COMMANDS).join(", ")}`}\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    await run(rest, env, rt);
    return EXIT.ok;
  } catch (err) {
    const flag = /^Unknown option '([^']+)'/.exec((err as { code?: string; message?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? String((err as Error).message) : "");
    if (flag) {
      // The command's own options, read off its usage line, so a typo names the nearest one.
      const options = USAGE.split("\n").find((l) => l.trim().startsWith(`${command} `) || l.trim() === command)?.match(/--[a-z-]+/g) ?? [];
      rt.err(`backup-job ${command}: ${unknown("option", flag[1], [...new Set(options)]).message}`);
      return EXIT.usage;
    }
    // AWS errors carry their meaning in the name (NoSuchBucket, AccessDenied); ours need no prefix.
    const name = err instanceof Error && !(err instanceof JobError) && err.name !== "Error" ? `${err.name}: ` : "";
    rt.err(`backup-job ${command}: ${name}${oneLine(err)}`);
    if (env.DEBUG && err instanceof Error && err.stack) rt.err(err.stack);
    return EXIT.failed;
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
