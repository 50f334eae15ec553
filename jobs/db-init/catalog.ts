/**
 * A text snapshot of everything db-init manages (roles, memberships, database and schema
 * ACLs, objects in the app schema, default privileges, extensions). Each step runs its SQL
 * and reports an action only when the snapshot changed: GRANT and CREATE ... IF NOT EXISTS
 * are silent no-ops server-side, so this is how a re-run knows it did nothing.
 *
 * ACLs are exploded and sorted, so a REVOKE-then-GRANT that lands on the same privileges
 * (how db-init enforces "exactly these privileges") compares equal.
 */
import { Client } from "pg";

const SNAPSHOT_SQL = `
with grantee(oid, name) as (select 0::oid, 'PUBLIC' union all select oid, rolname::text from pg_roles)
select line from (
  select format('role %s login=%s super=%s createdb=%s createrole=%s replication=%s bypassrls=%s inherit=%s',
                r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls, r.rolinherit) as line
    from pg_roles r where r.rolname = any($2)
  union
  select format('member %s of %s', m.rolname, g.rolname)
    from pg_auth_members am join pg_roles m on m.oid = am.member join pg_roles g on g.oid = am.roleid
   where m.rolname = any($2) or g.rolname = any($2)
  union
  select format('database %s acl %s %s grantable=%s', d.datname, ge.name, a.privilege_type, a.is_grantable)
    from pg_database d cross join aclexplode(coalesce(d.datacl, acldefault('d'::"char", d.datdba))) a join grantee ge on ge.oid = a.grantee
   where d.datname = any($3)
  union
  select format('database %s setting %s', d.datname, s.setconfig::text)
    from pg_db_role_setting s join pg_database d on d.oid = s.setdatabase where d.datname = current_database() and s.setrole = 0
  union
  select format('schema %s owner %s', n.nspname, pg_get_userbyid(n.nspowner)) from pg_namespace n where n.nspname in ($1, 'public')
  union
  select format('schema %s acl %s %s grantable=%s', n.nspname, ge.name, a.privilege_type, a.is_grantable)
    from pg_namespace n cross join aclexplode(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))) a join grantee ge on ge.oid = a.grantee
   where n.nspname in ($1, 'public')
  union
  select format('relation %s.%s kind=%s owner %s', n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner))
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1
  union
  select format('acl %s.%s %s %s grantable=%s', n.nspname, c.relname, ge.name, a.privilege_type, a.is_grantable)
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
         cross join aclexplode(coalesce(c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner))) a
         join grantee ge on ge.oid = a.grantee
   where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
  union
  select format('column %s.%s.%s %s notnull=%s default=%s', n.nspname, c.relname, at.attname, format_type(at.atttypid, at.atttypmod),
                at.attnotnull, pg_get_expr(ad.adbin, ad.adrelid))
    from pg_attribute at join pg_class c on c.oid = at.attrelid join pg_namespace n on n.oid = c.relnamespace
         left join pg_attrdef ad on ad.adrelid = at.attrelid and ad.adnum = at.attnum
   where n.nspname = $1 and at.attnum > 0 and not at.attisdropped and c.relkind in ('r', 'p', 'v', 'm', 'f')
  union
  select format('constraint %s.%s.%s %s', n.nspname, c.relname, co.conname, pg_get_constraintdef(co.oid))
    from pg_constraint co join pg_class c on c.oid = co.conrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1
  union
  select format('type %s.%s kind=%s', n.nspname, t.typname, t.typtype)
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
   where n.nspname = $1 and t.typtype in ('e', 'd', 'r') 
  union
  select format('function %s', p.oid::regprocedure) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1
  union
  select format('default-acl for %s in %s on %s: %s %s grantable=%s', pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '*'),
                d.defaclobjtype, ge.name, a.privilege_type, a.is_grantable)
    from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
         cross join aclexplode(d.defaclacl) a join grantee ge on ge.oid = a.grantee
   where pg_get_userbyid(d.defaclrole) = any($2)
  union
  select format('extension %s %s in %s', e.extname, e.extversion, n.nspname)
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
) s order by line`;

export interface SnapshotScope {
  schema: string;
  roles: string[];
  /** Databases whose ACLs are part of the state (the app database and the locked-down ones). */
  databases: string[];
}

export async function snapshot(client: Client, scope: SnapshotScope): Promise<string[]> {
  const r = await client.query<{ line: string }>(SNAPSHOT_SQL, [scope.schema, scope.roles, scope.databases]);
  return r.rows.map((row) => row.line);
}

export function diff(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const b = new Set(before);
  const a = new Set(after);
  return { added: after.filter((l) => !b.has(l)), removed: before.filter((l) => !a.has(l)) };
}
