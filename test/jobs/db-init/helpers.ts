/**
 * Helpers for the db-init tests against the real PostgreSQL from globalSetup. Roles are
 * cluster-wide and other test files share the server, so every name carries a unique suffix.
 */
import { Client } from "pg";

export const PG = new URL(process.env.TEST_PG_URL!);

export function uniqueSuffix(): string {
  return `${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** The env contract for one isolated bootstrap (database + role names unique to `suffix`). */
export function dbInitEnv(suffix: string, over: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PGHOST: PG.hostname,
    PGPORT: PG.port,
    DB_MASTER_USER: decodeURIComponent(PG.username),
    DB_MASTER_PASSWORD: decodeURIComponent(PG.password),
    PGSSLMODE: "disable",
    APP_DB_NAME: `dbinit_${suffix}`,
    APP_DB_PASSWORD: `app-pw-${suffix}-x'"\\;`, // quotes and backslash: escaping is exercised
    BACKUP_DB_PASSWORD: `backup-pw-${suffix}-long-enough`,
    DB_EXTENSIONS: "pgcrypto",
    DB_OWNER_ROLE: `migrator_${suffix}`,
    DB_APP_ROLE: `app_${suffix}`,
    DB_BACKUP_ROLE: `backup_${suffix}`,
    DB_READONLY_ROLE: `readonly_${suffix}`,
    ...over,
  };
}

export async function withClient<T>(opts: { user?: string; password?: string; database?: string }, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({
    host: PG.hostname,
    port: Number(PG.port),
    user: opts.user ?? decodeURIComponent(PG.username),
    password: opts.password ?? decodeURIComponent(PG.password),
    database: opts.database ?? "postgres",
    ssl: false,
  });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * The catalog state a re-run must not change, queried independently of jobs/db-init/catalog.ts:
 * role attributes and memberships, database ACLs and settings, schemas, relations, columns,
 * ACLs, default privileges, extensions. Password hashes are left out: they are re-applied
 * every run with a fresh salt (see the README).
 */
export async function catalogSnapshot(database: string, roles: string[]): Promise<string[]> {
  return withClient({ database }, async (c) => {
    const q = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows.map((r) => JSON.stringify(r));
    return [
      ...(await q(
        `select rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls
                     from pg_roles where rolname = any($1) order by 1`,
        [roles],
      )),
      ...(await q(
        `select r.rolname as role, m.rolname as member from pg_auth_members a join pg_roles r on r.oid = a.roleid
                     join pg_roles m on m.oid = a.member where r.rolname = any($1) or m.rolname = any($1) order by 1, 2`,
        [roles],
      )),
      // only these databases: other test files create and drop theirs concurrently
      ...(await q(`select datname, (select array_agg(x::text order by x::text) from unnest(datacl) x) as acl from pg_database
                    where datname in (current_database(), 'postgres', 'template1') order by 1`)),
      ...(await q(`select setconfig from pg_db_role_setting where setdatabase = (select oid from pg_database where datname = current_database())`)),
      ...(await q(`select nspname, nspowner::regrole::text, (select array_agg(x::text order by x::text) from unnest(nspacl) x) as acl
                     from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema' order by 1`)),
      ...(await q(`select n.nspname, c.relname, c.relkind, c.relowner::regrole::text as owner,
                          (select array_agg(x::text order by x::text) from unnest(c.relacl) x) as acl
                     from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema' order by 1, 2`)),
      ...(await q(`select attrelid::regclass::text as rel, attname, atttypid::regtype::text from pg_attribute
                     where attrelid in (select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app')
                       and attnum > 0 and not attisdropped order by 1, 2`)),
      ...(await q(`select defaclrole::regrole::text, defaclnamespace, defaclobjtype,
                          (select array_agg(x::text order by x::text) from unnest(defaclacl) x) as acl from pg_default_acl order by 1, 2, 3`)),
      ...(await q(`select extname, extversion from pg_extension order by 1`)),
    ];
  });
}

/** Drops what one test's bootstrap made: its database, then its roles (cluster-wide). */
export async function cleanup(env: NodeJS.ProcessEnv, extraRoles: string[] = []): Promise<void> {
  const roles = [env.DB_APP_ROLE!, env.DB_BACKUP_ROLE!, env.DB_READONLY_ROLE!, env.DB_OWNER_ROLE!, ...extraRoles];
  await withClient({}, async (c) => {
    await c.query(`drop database if exists "${env.APP_DB_NAME}" with (force)`);
    for (const r of roles) {
      const exists = await c.query("select 1 from pg_roles where rolname = $1", [r]);
      if (exists.rowCount) {
        await c.query(`drop owned by "${r}"`); // grants on the postgres/template1 databases etc.
        await c.query(`drop role "${r}"`);
      }
    }
  });
}
