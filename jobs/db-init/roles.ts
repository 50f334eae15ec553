/** The roles db-init keeps: created if missing, their attributes reset to exactly what they should be. */
import { Client, escapeIdentifier as id } from "pg";

/** Records one change for the report ("created role x"). */
export type Note = (label: string) => void;

export interface RoleSpec {
  name: string;
  login: boolean;
}

export async function ensureRole(db: Client, r: RoleSpec, note: Note): Promise<void> {
  const want: Record<string, boolean> = {
    rolcanlogin: r.login,
    rolsuper: false,
    rolcreatedb: false,
    rolcreaterole: false,
    rolreplication: false,
    rolbypassrls: false,
    rolinherit: true,
  };
  const keyword: Record<string, [string, string]> = {
    rolcanlogin: ["LOGIN", "NOLOGIN"],
    rolsuper: ["SUPERUSER", "NOSUPERUSER"],
    rolcreatedb: ["CREATEDB", "NOCREATEDB"],
    rolcreaterole: ["CREATEROLE", "NOCREATEROLE"],
    rolreplication: ["REPLICATION", "NOREPLICATION"],
    rolbypassrls: ["BYPASSRLS", "NOBYPASSRLS"],
    rolinherit: ["INHERIT", "NOINHERIT"],
  };
  const kw = (k: string) => keyword[k][want[k] ? 0 : 1];
  const cur = await db.query(`select ${Object.keys(want).join(", ")} from pg_roles where rolname = $1`, [r.name]);
  if (!cur.rowCount) {
    await db.query(`CREATE ROLE ${id(r.name)} WITH ${Object.keys(want).map(kw).join(" ")}`);
    note(`created role ${r.name} (${kw("rolcanlogin")})`);
    return;
  }
  // Only the differing attributes: a non-superuser may not even name SUPERUSER/REPLICATION/BYPASSRLS.
  const fix = Object.keys(want)
    .filter((k) => cur.rows[0][k] !== want[k])
    .map(kw);
  if (fix.length) {
    await db.query(`ALTER ROLE ${id(r.name)} WITH ${fix.join(" ")}`);
    note(`reset role ${r.name}: ${fix.join(" ")}`);
  }
}
