/**
 * `db-init --drop`: removes a tenant's database and its four roles from a shared instance (a
 * preview stack's, on `pulumi destroy`), and its Chroma database when CHROMA_URL is set
 * (chroma.ts). Only a tenant's: config.ts refuses DB_TENANT unless the database's and every
 * role's name carry it, and this refuses to run without DB_TENANT, so the
 * names of a stack's own database (`chatbot`, `app`, ...) can never reach a DROP.
 *
 * Idempotent: what is already gone is skipped, so a destroy that is retried, or that runs after
 * a create which failed halfway, succeeds.
 */
import { escapeIdentifier as id } from "pg";
import { clusterLock, Report } from "./bootstrap";
import { dropChromaDatabase } from "./chroma";
import { DbInitConfig, MAINTENANCE_DB } from "./config";
import { connect, DbInitError } from "./connect";

export async function dropTenant(cfg: DbInitConfig, dryRun: boolean): Promise<Report> {
  if (!cfg.tenant) {
    throw new DbInitError("--drop removes only a tenant's database and roles: set DB_TENANT (e.g. pr_123); a stack's own database is never dropped by db-init");
  }
  const report: Report = { changes: [], passwords: [], warnings: [], dryRun };
  const note = (what: string) => report.changes.push(dryRun ? `would drop ${what}` : `dropped ${what}`);
  const lock = await clusterLock(cfg);
  try {
    const m = await connect(cfg, MAINTENANCE_DB);
    try {
      const db = await m.query("select 1 from pg_database where datname = $1", [cfg.appDb]);
      if (db.rowCount) {
        // WITH (FORCE) (PostgreSQL 13+) ends the tenant's own sessions (its API tasks may still be draining).
        if (!dryRun) await m.query(`DROP DATABASE IF EXISTS ${id(cfg.appDb)} WITH (FORCE)`);
        note(`database ${cfg.appDb}`);
      }
      // Login roles first, the owner last: nothing else refers to them once their database is gone.
      const { owner, app, backup, readonly } = cfg.roles;
      for (const role of [app, backup, readonly, owner]) {
        const r = await m.query("select 1 from pg_roles where rolname = $1", [role]);
        if (!r.rowCount) continue;
        if (!dryRun) {
          try {
            await m.query(`DROP ROLE ${id(role)}`);
          } catch (e) {
            throw new DbInitError(
              `cannot drop role ${role}: ${(e as Error).message} (it owns or was granted something outside database ${cfg.appDb}; drop that by hand, then run --drop again)`,
            );
          }
        }
        note(`role ${role}`);
      }
    } finally {
      await m.end().catch(() => undefined);
    }
    // The tenant's Chroma database goes too (CHROMA_URL set): its collections, then the database.
    if (cfg.chroma) await dropChromaDatabase(cfg.chroma, cfg.tenant, dryRun, (line) => report.changes.push(line));
  } finally {
    await lock.end().catch(() => undefined);
  }
  return report;
}
