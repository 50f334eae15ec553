import { spawn } from "child_process";
import * as path from "path";
import { DigestStream } from "./digest";
import { JobError } from "./errors";
import { exitOk, run } from "./proc";

/**
 * pg_dump, pg_restore and psql, all through libpq so that one DATABASE_URL (sslmode and all)
 * means the same thing to every step.
 */
export class PgTools {
  constructor(private readonly binDir?: string) {}

  bin(name: "pg_dump" | "pg_restore" | "psql"): string {
    return this.binDir ? path.join(this.binDir, name) : name;
  }

  async toolMajor(name: "pg_dump" | "pg_restore"): Promise<{ version: string; major: number }> {
    const out = await run(this.bin(name), ["--version"], `${name} --version`);
    const m = /(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) throw new JobError(`${name} --version printed no version: ${out.trim()}`);
    return { version: out.trim(), major: Number(m[1]) };
  }

  /** One row of tab-separated values from psql. */
  async queryRow(url: string, sql: string, what: string): Promise<string[]> {
    const { dsn, env } = libpqTarget(url);
    const out = await run(this.bin("psql"), ["-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql, "--dbname", dsn], what, { env });
    return out.replace(/\n$/, "").split("\t");
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
  dump(url: string): DigestStream {
    const { dsn, env } = libpqTarget(url);
    const child = spawn(this.bin("pg_dump"), ["--format=custom", "--no-password", "--dbname", dsn], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = exitOk(child, "pg_dump");
    exited.catch(() => undefined); // observed in beforeEnd; avoid an unhandled rejection meanwhile
    const out = new DigestStream(() => exited);
    child.stdout!.pipe(out);
    // A spawn failure never ends stdout; fail the stream so the upload stops waiting.
    child.on("error", () => exited.catch((e) => out.destroy(e)));
    return out;
  }

  /** Reads the archive's table of contents: fails unless the file is a complete custom-format dump. */
  async list(file: string): Promise<string> {
    return run(this.bin("pg_restore"), ["--list", file], "pg_restore --list");
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
    const child = spawn(this.bin("pg_restore"), args, { env, stdio: ["ignore", "ignore", "pipe"] });
    await exitOk(child, "pg_restore");
  }

  /** Counts user objects (tables, views, sequences, functions, types) outside the system schemas. */
  async userObjectCount(url: string): Promise<number> {
    const sysSchemas = "n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'";
    const [count] = await this.queryRow(
      url,
      `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${sysSchemas})
            + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${sysSchemas})
            + (select count(*) from pg_namespace n where ${sysSchemas} and n.nspname <> 'public')
            + (select count(*) from pg_extension where extname <> 'plpgsql')`,
      "inspecting the target database",
    );
    return Number(count);
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
