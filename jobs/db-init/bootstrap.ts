/**
 * The bootstrap itself. CREATE DATABASE cannot run inside a transaction, so it runs alone
 * first; everything else (roles, passwords, grants, extensions, schema) runs in ONE
 * transaction in the app database, so a failure leaves the cluster as it was. If this run
 * created the database and the transaction then failed, the (empty) database is dropped too.
 *
 * Ownership: the schema and its objects belong to a NOLOGIN owner role (`migrator`), not to the
 * master user. The master SETs ROLE to it to apply schema.sql, and so must migrations; default
 * privileges are declared for that role, so tables migrations create later are usable by
 * `app`, `backup` and `readonly` without another grant. No password exists for it, so nothing
 * can log in as the owner of the data, and a future migrations login role is just a member.
 */
import { Client, escapeIdentifier as id, escapeLiteral as lit } from "pg";
import { diff, snapshot, SnapshotScope } from "./catalog";
import { ensureChromaDatabase } from "./chroma";
import { APP_SCHEMA, DbInitConfig, MAINTENANCE_DB } from "./config";
import { connect, DbInitError } from "./connect";
import { largeObjects, reown, resetRoleLimits } from "./heal";
import { Note, RoleSpec, ensureRole } from "./roles";
import { applySchema, readSchema } from "./schema";
import { scramVerifier } from "./scram";

export interface Report {
  /** One line per change (or would-be change in a dry run). */
  changes: string[];
  /** Roles whose password was (re)applied: every run, so a rotated secret takes effect. */
  passwords: string[];
  /** WARNINGs from the server, e.g. a REVOKE the master user has no right to make. */
  warnings: string[];
  dryRun: boolean;
}

/** Databases whose PUBLIC CONNECT is revoked so our roles can reach only the app database. */
const LOCKED_DATABASES = [MAINTENANCE_DB, "template1"];

/** "created role x" -> "would create role x": a dry run runs the same SQL, then rolls back. */
const WOULD: Record<string, string> = {
  created: "create",
  granted: "grant",
  revoked: "revoke",
  restricted: "restrict",
  reset: "reset",
  set: "set",
  changed: "change",
};
function wouldForm(label: string): string {
  const m = /^((?:schema\.sql: )?)(\w+)(.*)$/s.exec(label)!;
  return `${m[1]}would ${WOULD[m[2]] ?? m[2]}${m[3]}`;
}

export async function bootstrap(cfg: DbInitConfig, dryRun: boolean): Promise<Report> {
  const schemaSql = readSchema(cfg.schemaFile);
  const report: Report = { changes: [], passwords: [], warnings: [], dryRun };
  const note: Note = (label) => report.changes.push(dryRun ? wouldForm(label) : label);

  // Roles are cluster-wide and CREATE DATABASE races on pg_database's unique index, so runs
  // serialize on a session lock in the maintenance database, held until the run ends.
  const lock = await clusterLock(cfg);
  try {
    await locked(cfg, dryRun, schemaSql, report, note);
    // A tenant's Chroma database (preview tier), once its PostgreSQL side stands: see chroma.ts.
    if (cfg.chroma) await ensureChromaDatabase(cfg.chroma, cfg.tenant, dryRun, (line) => report.changes.push(line));
    return report;
  } finally {
    await lock.end().catch(() => undefined);
  }
}

const LOCK_WAIT = "60s";

export async function clusterLock(cfg: DbInitConfig): Promise<Client> {
  const m = await connect(cfg, MAINTENANCE_DB);
  try {
    await m.query(`SET lock_timeout = '${LOCK_WAIT}'`);
    await m.query("SELECT pg_advisory_lock(hashtext('chatbot db-init'))");
  } catch (e) {
    await m.end().catch(() => undefined);
    throw new DbInitError(`another db-init held the cluster-wide lock for more than ${LOCK_WAIT} (database ${MAINTENANCE_DB}): ${(e as Error).message}`);
  }
  return m;
}

async function locked(cfg: DbInitConfig, dryRun: boolean, schemaSql: string, report: Report, note: Note): Promise<Report> {
  const createdDb = await ensureDatabase(cfg, dryRun, report);
  if (createdDb === "missing") return report;

  const db = await connect(cfg, cfg.appDb);
  db.on("notice", (n) => {
    if (n.severity === "WARNING") report.warnings.push(n.message ?? String(n));
  });
  try {
    await db.query("BEGIN");
    await inTransaction(db, cfg, schemaSql, report, note);
    await db.query(dryRun ? "ROLLBACK" : "COMMIT");
  } catch (e) {
    await db.query("ROLLBACK").catch(() => undefined);
    await db.end().catch(() => undefined);
    let msg = `bootstrap of database ${cfg.appDb} failed and was rolled back: ${(e as Error).message}`;
    if (createdDb === "created") msg += `; ${await dropCreatedDatabase(cfg)}`;
    throw new DbInitError(msg);
  }
  await db.end();
  return report;
}

async function ensureDatabase(cfg: DbInitConfig, dryRun: boolean, report: Report): Promise<"existed" | "created" | "missing"> {
  const m = await connect(cfg, MAINTENANCE_DB);
  try {
    const r = await m.query("select 1 from pg_database where datname = $1", [cfg.appDb]);
    if (r.rowCount) return "existed";
    if (dryRun) {
      report.changes.push(`would create database ${cfg.appDb}, then bootstrap it (not inspected further: it does not exist yet)`);
      return "missing";
    }
    try {
      // template0: a clean copy, whatever anyone left in template1.
      await m.query(`CREATE DATABASE ${id(cfg.appDb)} TEMPLATE template0 ENCODING 'UTF8'`);
    } catch (e) {
      // A concurrent CREATE DATABASE outside our lock (a person, an older db-init) won the race.
      if (["42P04", "23505"].includes((e as { code?: string }).code ?? "")) return "existed";
      throw new DbInitError(`cannot create database ${cfg.appDb}: ${(e as Error).message}`);
    }
    report.changes.push(`created database ${cfg.appDb}`);
    return "created";
  } finally {
    await m.end().catch(() => undefined);
  }
}

async function dropCreatedDatabase(cfg: DbInitConfig): Promise<string> {
  try {
    const m = await connect(cfg, MAINTENANCE_DB);
    try {
      await m.query(`DROP DATABASE IF EXISTS ${id(cfg.appDb)}`);
    } finally {
      await m.end().catch(() => undefined);
    }
    return `dropped database ${cfg.appDb} that this run had created`;
  } catch (e) {
    return `could not drop database ${cfg.appDb} that this run created (${(e as Error).message}); the next run will bootstrap it`;
  }
}

async function inTransaction(db: Client, cfg: DbInitConfig, schemaSql: string, report: Report, note: Note): Promise<void> {
  const { owner, app, backup, readonly } = cfg.roles;
  const readers = [app, backup, readonly];
  const scope: SnapshotScope = { schema: APP_SCHEMA, roles: [owner, ...readers], databases: [cfg.appDb, ...LOCKED_DATABASES] };
  const list = (names: string[]) => names.map(id).join(", ");

  /** Runs statements; reports `label` if the managed catalog state changed. */
  const step = async (label: string, statements: string[]): Promise<string[]> => {
    const before = await snapshot(db, scope);
    for (const s of statements) await db.query(s);
    const after = await snapshot(db, scope);
    const d = diff(before, after);
    if (d.added.length || d.removed.length) note(label);
    return d.added;
  };

  // Don't queue forever behind the app's locks on every `pulumi up` (runs serialize on clusterLock).
  await db.query("SET LOCAL lock_timeout = '30s'");
  const version = Number((await db.query("select current_setting('server_version_num') as v")).rows[0].v);

  const roles: RoleSpec[] = [
    { name: owner, login: false },
    { name: app, login: true },
    { name: backup, login: true },
    { name: readonly, login: false }, // group: analysts get their own LOGIN roles as members
  ];
  for (const r of roles) await ensureRole(db, r, note);
  await resetRoleLimits(
    db,
    roles.map((r) => r.name),
    cfg.masterUser,
    note,
  );

  for (const [role, password] of [
    [app, cfg.appPassword],
    [backup, cfg.backupPassword],
  ]) {
    await db.query(`ALTER ROLE ${id(role)} PASSWORD ${lit(scramVerifier(password))}`);
    report.passwords.push(role);
  }

  // The master user must be able to SET ROLE to the owner (on RDS it is not a superuser; from
  // PG16 a CREATEROLE creator gets only ADMIN on the roles it creates, not SET).
  const canSet = version >= 160000 ? "SET" : "MEMBER";
  const member = await db.query(`select pg_has_role(current_user, $1, '${canSet}') as ok`, [owner]);
  if (!member.rows[0].ok) {
    await db.query(`GRANT ${id(owner)} TO CURRENT_USER${version >= 160000 ? " WITH SET TRUE" : ""}`);
    note(`granted role ${owner} to ${cfg.masterUser} (to SET ROLE ${owner})`);
  }

  await step(`restricted database ${cfg.appDb} to CONNECT by ${readers.join(", ")} (revoked PUBLIC CONNECT and TEMPORARY)`, [
    `REVOKE ALL ON DATABASE ${id(cfg.appDb)} FROM PUBLIC, ${list(readers)}`,
    `GRANT CONNECT ON DATABASE ${id(cfg.appDb)} TO ${list(readers)}`,
  ]);
  const others = await db.query<{ datname: string }>("select datname from pg_database where datname = any($1) and datname <> $2 order by 1", [
    LOCKED_DATABASES,
    cfg.appDb,
  ]);
  for (const { datname } of others.rows) {
    await step(`revoked CONNECT on database ${datname} from PUBLIC`, [`REVOKE CONNECT ON DATABASE ${id(datname)} FROM PUBLIC`]);
  }

  await step(`created schema ${APP_SCHEMA} owned by ${owner}`, [`CREATE SCHEMA IF NOT EXISTS ${id(APP_SCHEMA)} AUTHORIZATION ${id(owner)}`]);
  await step(`set owner of schema ${APP_SCHEMA} to ${owner}`, [`ALTER SCHEMA ${id(APP_SCHEMA)} OWNER TO ${id(owner)}`]);
  await step("revoked CREATE on schema public from PUBLIC", ["REVOKE CREATE ON SCHEMA public FROM PUBLIC"]);
  await step(`set search_path of database ${cfg.appDb} to ${APP_SCHEMA}, public`, [
    `ALTER DATABASE ${id(cfg.appDb)} SET search_path = ${id(APP_SCHEMA)}, public`,
  ]);

  for (const ext of cfg.extensions) {
    const avail = await db.query("select 1 from pg_available_extensions where name = $1", [ext]);
    if (!avail.rowCount) throw new DbInitError(`extension ${ext} (from DB_EXTENSIONS) is not available on this server`);
    // Extensions belong to the master user (some need rds_superuser) and live in public.
    await step(`created extension ${ext}`, [`CREATE EXTENSION IF NOT EXISTS ${id(ext)} WITH SCHEMA public`]);
  }

  // Everything below runs as the owner, so objects and grants are the owner's.
  await db.query(`SET LOCAL ROLE ${id(owner)}`);
  await db.query(`SET LOCAL search_path = ${id(APP_SCHEMA)}, public`);
  const s = id(APP_SCHEMA);
  // Default privileges first: tables schema.sql (and later migrations) create get their grants.
  await step(`set default privileges of ${owner} in schema ${APP_SCHEMA} (future tables and sequences)`, [
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE ALL ON TABLES FROM ${list(readers)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE ALL ON SEQUENCES FROM ${list(readers)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${id(app)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${id(backup)}, ${id(readonly)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${id(app)}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON SEQUENCES TO ${id(backup)}`,
  ]);
  await db.query("RESET ROLE");
  // Objects someone created as the master user in the app schema (a hand-run fix, a restore)
  // would make every later GRANT here and every pg_dump by `backup` fail: the owner takes them.
  await reown(db, owner, note);
  await db.query(`SET LOCAL ROLE ${id(owner)}`);
  await applySchema(db, cfg, schemaSql, scope, note);

  // REVOKE then GRANT: enforces exactly these privileges; a re-run compares equal (catalog.ts).
  await step(`granted USAGE on schema ${APP_SCHEMA} to ${readers.join(", ")}`, [
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC, ${list(readers)}`,
    `GRANT USAGE ON SCHEMA ${s} TO ${list(readers)}`,
  ]);
  await step(`granted SELECT/INSERT/UPDATE/DELETE on tables in ${APP_SCHEMA} to ${app}, SELECT to ${backup}, ${readonly}`, [
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM PUBLIC, ${list(readers)}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${id(app)}`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${id(backup)}, ${id(readonly)}`,
  ]);
  await step(`granted USAGE/SELECT on sequences in ${APP_SCHEMA} to ${app}, SELECT to ${backup}`, [
    `REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM PUBLIC, ${list(readers)}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${id(app)}`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${id(backup)}`,
  ]);
  await largeObjects(db, cfg.roles, version, note);
  await db.query("RESET ROLE");
}
