/**
 * schema.sql: read and checked before anything connects, then applied inside db-init's one
 * transaction, with one report line per object it created or changed (from catalog snapshots).
 */
import * as fs from "fs";
import { Client } from "pg";
import { diff, snapshot, SnapshotScope } from "./catalog";
import { DbInitConfig } from "./config";
import { DbInitError } from "./connect";
import { Note } from "./roles";

export function readSchema(file: string): string {
  let sql: string;
  try {
    sql = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new DbInitError(`cannot read schema file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  // A COMMIT inside the file would end our one transaction and break the all-or-nothing promise.
  if (/^\s*(commit|rollback|end)\s*;/im.test(sql))
    throw new DbInitError(`schema file ${file} must not contain COMMIT/ROLLBACK/END: db-init runs it in its own transaction`);
  return sql;
}

const KINDS: Record<string, string> = { r: "table", p: "table", i: "index", I: "index", S: "sequence", v: "view", m: "materialized view", f: "foreign table" };

export async function applySchema(db: Client, cfg: DbInitConfig, sql: string, scope: SnapshotScope, note: Note): Promise<void> {
  const before = await snapshot(db, scope);
  try {
    await db.query(sql);
  } catch (e) {
    const pos = Number((e as { position?: string }).position);
    const line = pos ? ` line ${sql.slice(0, pos - 1).split("\n").length}` : "";
    throw new DbInitError(`schema file ${cfg.schemaFile}${line}: ${(e as Error).message}`);
  }
  const d = diff(before, await snapshot(db, scope));
  // One line per new object; columns/constraints of new tables are part of "created table".
  const created: string[] = [];
  for (const l of d.added) {
    const m = /^relation (\S+) kind=(\S)/.exec(l) ?? /^(?:type|function) (.+?)(?: kind=.)?$/.exec(l);
    if (m && l.startsWith("relation")) created.push(`${KINDS[m[2]] ?? "relation"} ${m[1]}`);
    else if (m) created.push(`${l.split(" ")[0]} ${m[1]}`);
  }
  for (const c of created) note(`schema.sql: created ${c}`);
  const newRels = created.map((c) => c.split(" ").pop()!);
  const other = [...d.added, ...d.removed].filter((l) => !/^(relation|type|function|acl) /.test(l) && !newRels.some((r) => l.includes(` ${r}.`)));
  for (const l of other) note(`schema.sql: changed ${l}`);
}
