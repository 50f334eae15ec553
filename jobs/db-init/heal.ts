/**
 * What db-init heals besides privileges: role attributes that lock a role out or widen it, and
 * objects whose owner is not the schema owner (so every GRANT and every backup keeps working).
 */
import { Client, escapeIdentifier as id, escapeLiteral as lit } from "pg";
import { APP_SCHEMA } from "./config";

type Note = (label: string) => void;

/**
 * Attributes CREATE/ALTER ROLE set that ensureRole's booleans do not: an expiry in the past or
 * CONNECTION LIMIT 0 locks the app out; a membership (pg_write_all_data on backup) widens a role
 * beyond its grants. Each is reset and reported. Membership IN the roles (analysts in readonly,
 * the master in the owner) is how they are meant to be used, and is left alone.
 */
export async function resetRoleLimits(db: Client, names: string[], master: string, note: Note): Promise<void> {
  const r = await db.query<{ rolname: string; until: string | null; rolconnlimit: number }>(
    `select rolname, rolconnlimit,
            case when rolvaliduntil is not null and rolvaliduntil <> 'infinity'
                 then to_char(rolvaliduntil at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end as until
       from pg_roles where rolname = any($1) order by 1`,
    [names],
  );
  for (const row of r.rows) {
    if (row.until) {
      await db.query(`ALTER ROLE ${id(row.rolname)} VALID UNTIL 'infinity'`);
      note(`reset role ${row.rolname}: VALID UNTIL ${row.until} -> infinity`);
    }
    if (row.rolconnlimit !== -1) {
      await db.query(`ALTER ROLE ${id(row.rolname)} CONNECTION LIMIT -1`);
      note(`reset role ${row.rolname}: CONNECTION LIMIT ${row.rolconnlimit} -> -1 (none)`);
    }
  }
  const m = await db.query<{ member: string; grp: string }>(
    `select mr.rolname as member, gr.rolname as grp from pg_auth_members am join pg_roles mr on mr.oid = am.member
       join pg_roles gr on gr.oid = am.roleid where mr.rolname = any($1) and gr.rolname <> $2 order by 1, 2`,
    [names, master],
  );
  for (const { member, grp } of m.rows) {
    await db.query(`REVOKE ${id(grp)} FROM ${id(member)}`);
    note(`revoked membership of ${member} in ${grp}`);
  }
}

/** Relations, functions and types in the app schema not owned by the owner role are given to it. */
export async function reown(db: Client, owner: string, note: Note): Promise<void> {
  const r = await db.query<{ kind: string; name: string; was: string }>(
    `select case c.relkind when 'S' then 'SEQUENCE' when 'v' then 'VIEW' when 'm' then 'MATERIALIZED VIEW' when 'f' then 'FOREIGN TABLE' else 'TABLE' end as kind,
            format('%I.%I', n.nspname, c.relname) as name, pg_get_userbyid(c.relowner) as was
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r','p','v','m','f','S') and pg_get_userbyid(c.relowner) <> $2
        -- an owned sequence follows its table
        and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a','i') and d.refclassid = 'pg_class'::regclass))
     union all
     select case p.prokind when 'p' then 'PROCEDURE' else 'FUNCTION' end, p.oid::regprocedure::text, pg_get_userbyid(p.proowner)
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1 and pg_get_userbyid(p.proowner) <> $2
     union all
     select case t.typtype when 'd' then 'DOMAIN' else 'TYPE' end, format('%I.%I', n.nspname, t.typname), pg_get_userbyid(t.typowner)
       from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = $1 and t.typtype in ('e','d','r') and pg_get_userbyid(t.typowner) <> $2
     order by 2`,
    [APP_SCHEMA, owner],
  );
  for (const o of r.rows) {
    await db.query(`ALTER ${o.kind} ${o.name} OWNER TO ${id(owner)}`);
    note(`re-owned ${o.kind.toLowerCase()} ${o.name} (was ${o.was}) to ${owner}`);
  }
}

/**
 * Large objects are outside any schema and belong to whoever created them (the app may): pg_dump
 * by `backup` then fails with "permission denied for large object". The owner takes them, and
 * app may read and write them, backup read them.
 */
export async function largeObjects(db: Client, roles: { owner: string; app: string; backup: string }, version: number, note: Note): Promise<void> {
  const { owner, app, backup } = roles;
  await db.query("RESET ROLE");
  // has_largeobject_privilege is PG17+; before it, the grants are simply re-applied (silent no-ops).
  const granted = version >= 170000 ? `coalesce(has_largeobject_privilege(${lit(backup)}, l.oid, 'SELECT'), false)` : "false";
  const r = await db.query<{ oid: string; was: string; ok: boolean }>(
    `select l.oid::text as oid, pg_get_userbyid(l.lomowner) as was, pg_get_userbyid(l.lomowner) = $1 and ${granted} as ok
       from pg_largeobject_metadata l order by l.oid`,
    [owner],
  );
  for (const lo of r.rows) {
    if (lo.ok) continue;
    if (lo.was !== owner) {
      await db.query(`ALTER LARGE OBJECT ${lo.oid} OWNER TO ${id(owner)}`);
      note(`re-owned large object ${lo.oid} (was ${lo.was}) to ${owner}`);
    }
    await db.query(`SET LOCAL ROLE ${id(owner)}`);
    await db.query(`GRANT SELECT, UPDATE ON LARGE OBJECT ${lo.oid} TO ${id(app)}`);
    await db.query(`GRANT SELECT ON LARGE OBJECT ${lo.oid} TO ${id(backup)}`);
    await db.query("RESET ROLE");
  }
}
