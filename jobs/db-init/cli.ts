/**
 * db-init: idempotent PostgreSQL bootstrap of the chatbot's database (see README.md).
 *
 *   npm run db-init -- [--dry-run] [--drop]
 *
 * --drop removes a tenant's database and roles instead (DB_TENANT required; see drop.ts).
 * Prints one line per change ("nothing to do" when none); exit 0 on success, 1 when the
 * bootstrap failed (rolled back), 2 on bad usage or environment. Errors are one line on
 * stderr; set DEBUG=1 for the stack trace.
 */
import { parseFlags } from "../../tools/cli/args";
import { bootstrap } from "./bootstrap";
import { ConfigError, loadConfig } from "./config";
import { dropTenant } from "./drop";
import { formatReport } from "./report";

const USAGE = "usage: db-init [--dry-run] [--drop]   (configuration from env: see jobs/db-init/README.md)";

async function main(argv: string[]): Promise<number> {
  let dryRun: boolean;
  let drop: boolean;
  try {
    const { values, positionals, help } = parseFlags(argv, { "dry-run": { type: "boolean" }, drop: { type: "boolean" } });
    if (help) {
      console.log(USAGE);
      return 0;
    }
    if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}`);
    dryRun = values["dry-run"] === true;
    drop = values.drop === true;
  } catch (e) {
    console.error(`db-init: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  let cfg;
  try {
    cfg = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`db-init: ${e.message}`);
      return 2;
    }
    throw e;
  }
  for (const w of cfg.warnings) console.error(`db-init: warning: ${w}`);
  const report = drop ? await dropTenant(cfg, dryRun) : await bootstrap(cfg, dryRun);
  for (const line of formatReport(report)) console.log(line);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    // One line: pg messages can carry newlines (DETAIL, HINT); the full error only under DEBUG.
    console.error(`db-init: ${String(e?.message ?? e).replace(/\s*\n\s*/g, " ")}`);
    if (process.env.DEBUG) console.error(e);
    process.exitCode = 1;
  },
);
