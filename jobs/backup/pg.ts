import { spawn } from "child_process";
import * as path from "path";
import { DigestStream } from "./digest";
import { JobError } from "./errors";
import { exitOk, run } from "./proc";

/**
 * pg_dump, pg_restore and psql, all through libpq so that one DATABASE_URL (sslmode and all)
 * means the same thing to every step.
 */
export interface PgBounds {
  lockWaitSeconds: number;
  stallSeconds: number;
}

export class PgTools {
  /** `signal`: the run's abort; it kills every child (pg_dump, pg_restore, psql) with SIGTERM. */
  constructor(
    private readonly binDir?: string,
    private readonly signal?: AbortSignal,
    private readonly bounds: PgBounds = { lockWaitSeconds: 120, stallSeconds: 600 },
  ) {}

  bin(name: "pg_dump" | "pg_restore" | "psql"): string {
    return this.binDir ? path.join(this.binDir, name) : name;
  }

  async toolMajor(name: "pg_dump" | "pg_restore"): Promise<{ version: string; major: number }> {
    const out = await run(this.bin(name), ["--version"], `${name} --version`, { signal: this.signal });
    const m = /(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) throw new JobError(`${name} --version printed no version: ${out.trim()}`);
    return { version: out.trim(), major: Number(m[1]) };
  }

  /** One row of tab-separated values from psql. */
  async queryRow(url: string, sql: string, what: string): Promise<string[]> {
    const { dsn, env } = libpqTarget(url);
    const out = await run(this.bin("psql"), ["-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, "--dbname", dsn], what, {
      env,
      signal: this.signal,
    });
    return out.replace(/\n$/, "").split("\t");
  }

  /** A statement that must run even after the run was aborted (dropping the drill's scratch database): its own bound, not the run's signal. */
  async cleanup(url: string, sql: string, seconds = 60): Promise<void> {
    const { dsn, env } = libpqTarget(url);
    await run(this.bin("psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, "--dbname", dsn], sql, { env, signal: AbortSignal.timeout(seconds * 1000) });
  }

  async server(url: string): Promise<{ version: string; major: number; database: string }> {
    const [num, version, database] = await this.queryRow(
      url,
      "select current_setting('server_version_num'), current_setting('server_version'), current_database()",
      "connecting to the database",
    );
    return { version, major: Math.floor(Number(num) / 10000), database };
  }

  /**
   * `pg_dump -Fc` as a stream that hashes as it goes. If pg_dump fails, even after writing
   * part of the dump, the stream errors instead of ending, so the upload is aborted.
   */
  dump(url: string, snapshot?: string): DigestStream {
    const { dsn, env } = libpqTarget(url);
    const { lockWaitSeconds, stallSeconds } = this.bounds;
    const args = [
      "--format=custom",
      "--no-password",
      // Without it pg_dump queues behind any session holding a conflicting table lock, forever.
      `--lock-wait-timeout=${lockWaitSeconds}s`,
      ...(snapshot ? [`--snapshot=${snapshot}`] : []),
      "--dbname",
      dsn,
    ];
    const child = spawn(this.bin("pg_dump"), args, { env, stdio: ["ignore", "pipe", "pipe"], signal: this.signal });
    let stalled: JobError | undefined;
    const exited = exitOk(child, "pg_dump").catch((err: JobError) => {
      if (stalled) throw stalled;
      // pg_dump implements --lock-wait-timeout as a statement_timeout around its LOCK TABLEs.
      const lock = /(?:lock|statement) timeout[\s\S]*?LOCK TABLE (\S+)/.exec(err.message);
      if (lock) {
        throw new JobError(
          `pg_dump waited ${lockWaitSeconds}s (PG_LOCK_WAIT_SECONDS) for a lock on table ${lock[1]} that another session holds; nothing was stored`,
        );
      }
      throw err;
    });
    exited.catch(() => undefined); // observed in beforeEnd; avoid an unhandled rejection meanwhile
    const out = new DigestStream(() => exited);
    // pg_dump sets statement_timeout and idle_in_transaction_session_timeout to 0 for itself,
    // so a server-side bound cannot be had; silence on its stdout is the client-side one.
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        stalled = new JobError(`pg_dump wrote nothing for ${stallSeconds}s (PG_STALL_SECONDS): the database stopped answering; nothing was stored`);
        child.kill("SIGKILL");
      }, stallSeconds * 1000);
    };
    arm();
    child.stdout!.on("data", arm);
    child.on("close", () => clearTimeout(watchdog));
    child.stdout!.pipe(out);
    // A spawn failure never ends stdout; fail the stream so the upload stops waiting.
    child.on("error", () => exited.catch((e) => out.destroy(e)));
    return out;
  }

  /** Reads the archive's table of contents: fails unless the file is a complete custom-format dump. */
  async list(file: string): Promise<string> {
    return run(this.bin("pg_restore"), ["--list", file], "pg_restore --list", { signal: this.signal });
  }

  async restore(file: string, url: string, replace: boolean): Promise<void> {
    const { dsn, env } = libpqTarget(url);
    const args = [
      "--no-owner",
      "--no-acl",
      "--exit-on-error",
      // All or nothing: a failed restore leaves the target as it was.
      "--single-transaction",
      ...(replace ? ["--clean", "--if-exists"] : []),
      "--no-password",
      "--dbname",
      dsn,
      file,
    ];
    // The run's signal kills pg_restore: with --single-transaction its work is rolled back.
    const child = spawn(this.bin("pg_restore"), args, { env, stdio: ["ignore", "ignore", "pipe"], signal: this.signal });
    await exitOk(child, "pg_restore");
  }

  /**
   * What the target already holds, by kind ("3 tables, 1 type, 2 large objects"), or "" when
   * empty. Every kind a dump can carry counts; objects that belong to an extension do not.
   */
  async userObjects(url: string): Promise<string> {
    const user = (ns: string) => `${ns} not in ('pg_catalog','information_schema') and ${ns} not like 'pg\\_toast%' and ${ns} not like 'pg\\_temp%'`;
    const notExt = (cls: string, oid: string) =>
      `not exists (select 1 from pg_depend d where d.classid = '${cls}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;
    const kinds: [string, string][] = [
      [
        "relations",
        `select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${user("n.nspname")} and c.relkind <> 'c' and ${notExt("pg_class", "c.oid")}`,
      ],
      [
        "functions",
        `select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${user("n.nspname")} and ${notExt("pg_proc", "p.oid")}`,
      ],
      // Standalone types and domains; a table's row type and array types come with the table.
      [
        "types",
        `select count(*) from pg_type t join pg_namespace n on n.oid = t.typnamespace where ${user("n.nspname")} and t.typtype in ('e','d','r','m','b','c') and (t.typrelid = 0 or (select relkind from pg_class where oid = t.typrelid) = 'c') and t.typelem = 0 and ${notExt("pg_type", "t.oid")}`,
      ],
      ["schemas", `select count(*) from pg_namespace n where ${user("n.nspname")} and n.nspname <> 'public'`],
      ["extensions", `select count(*) from pg_extension where extname <> 'plpgsql'`],
      ["large objects", `select count(*) from pg_largeobject_metadata`],
      ["collations", `select count(*) from pg_collation c join pg_namespace n on n.oid = c.collnamespace where ${user("n.nspname")}`],
      [
        "operators",
        `select count(*) from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where ${user("n.nspname")} and ${notExt("pg_operator", "o.oid")}`,
      ],
    ];
    const counts = await this.queryRow(url, `select ${kinds.map(([, q]) => `(${q})`).join(", ")}`, "inspecting the target database");
    return kinds
      .map(([kind], i) => [kind, Number(counts[i])] as const)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(", ");
  }
}

/**
 * Moves the password out of the URL into PGPASSWORD, so it never shows in the process list
 * (`ps` in the task, or an error message quoting the command line).
 */
export function libpqTarget(url: string): { dsn: string; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? "15" };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { dsn: url, env }; // a key=value conninfo string: libpq parses it
  }
  if (!/^postgres(ql)?:$/.test(u.protocol)) {
    throw new JobError(`database URL must start with postgresql://, got ${u.protocol}//…`);
  }
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = "";
  }
  return { dsn: u.toString(), env };
}
