/**
 * A tenant's database on a shared Chroma (the preview tier: the app of stack pr-<n> reads and
 * writes CHROMA_DATABASE=pr_<n> on staging's Chroma). The normal run creates it if missing; `--drop`
 * deletes its collections, then the database itself. Only ever the tenant's own database, in
 * Chroma's default tenant: any other name is refused before a request is sent.
 *
 * Chroma 0.6.3's REST API, checked against its source (chromadb/server/fastapi/__init__.py at tag
 * 0.6.3): its v1 API has no DELETE for a database, so this uses the v2 routes it serves beside v1:
 *   GET    /api/v2/tenants/{tenant}/databases/{name}                   200 | 404 NotFoundError
 *   POST   /api/v2/tenants/{tenant}/databases           {"name": ...}  200 | 409 UniqueConstraintError
 *   GET    /api/v2/tenants/{tenant}/databases/{name}/collections       [{ "name", ... }]
 *   DELETE /api/v2/tenants/{tenant}/databases/{name}/collections/{c}   200 | 400 "does not exist"
 *   DELETE /api/v2/tenants/{tenant}/databases/{name}                   200 | 404 NotFoundError
 * Collections go first: 0.6.3 deletes a database's collection rows but not their segments (the
 * index files on EFS), which only deleting each collection removes.
 * The token travels as `Authorization: Bearer <token>`, the server's default transport header
 * (components/data/chromaTask.ts leaves CHROMA_AUTH_TOKEN_TRANSPORT_HEADER unset).
 */
import type { ChromaConfig } from "./config";
import { DbInitError } from "./connect";

/** Chroma's default tenant: the app sets only CHROMA_DATABASE, so its database lives here. */
export const CHROMA_TENANT = "default_tenant";
/** The default tenant's own database, the lender's data: never created or deleted here. */
export const CHROMA_DEFAULT_DATABASE = "default_database";

type Note = (line: string) => void;

/** The one guard every call passes, before any request: only the tenant's own database, never the default one. */
export function refuseUnlessTenantDatabase(database: string, tenant: string | undefined): void {
  if (!tenant) throw new DbInitError(`Chroma database ${database}: refused, db-init manages a Chroma database only for a tenant (DB_TENANT)`);
  if (database === CHROMA_DEFAULT_DATABASE || database !== tenant) {
    throw new DbInitError(
      `Chroma database ${database}: refused, db-init creates and drops only the tenant's own database (${tenant}), never ${CHROMA_DEFAULT_DATABASE}`,
    );
  }
}

interface Answer {
  status: number;
  body: unknown;
}

async function call(cfg: ChromaConfig, method: string, path: string, body?: unknown): Promise<Answer> {
  const where = `Chroma ${method} ${path}`;
  let res: Response;
  try {
    res = await fetch(cfg.url.replace(/\/+$/, "") + path, {
      method,
      headers: { Authorization: `Bearer ${cfg.token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(cfg.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    // A security group that does not admit this task drops the packets: that shows as a timeout.
    const hint = "; does the lending stack set lendsToPreviews (its Chroma admits the jobs group)?";
    if (err.name === "TimeoutError") throw new DbInitError(`${where}: no answer within ${cfg.timeoutMs / 1000} s from ${cfg.url}${hint}`);
    throw new DbInitError(`${where}: cannot reach ${cfg.url} (${err.cause?.code ?? err.message})`);
  }
  const text = await res.text().catch(() => "");
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: kept as text for the error line */
  }
  return { status: res.status, body: parsed };
}

function failure(method: string, path: string, a: Answer): DbInitError {
  const b = a.body as { error?: string; message?: string; detail?: unknown } | string | null;
  const said = typeof b === "string" ? b : (b?.message ?? (b?.detail !== undefined ? JSON.stringify(b.detail) : b?.error));
  const hint = a.status === 401 || a.status === 403 ? " (is CHROMA_TOKEN the server's current token?)" : "";
  return new DbInitError(
    `Chroma ${method} ${path}: HTTP ${a.status}${
      said
        ? ` ${String(said)
            .replace(/\s*\n\s*/g, " ")
            .slice(0, 200)}`
        : ""
    }${hint}`,
  );
}

const databasePath = (database: string) => `/api/v2/tenants/${CHROMA_TENANT}/databases/${encodeURIComponent(database)}`;

async function exists(cfg: ChromaConfig, database: string): Promise<boolean> {
  const path = databasePath(database);
  const a = await call(cfg, "GET", path);
  if (a.status === 200) return true;
  if (a.status === 404) return false;
  throw failure("GET", path, a);
}

/** The normal run: the tenant's database, created if missing (a 409 from a concurrent run is as good). */
export async function ensureChromaDatabase(cfg: ChromaConfig, tenant: string | undefined, dryRun: boolean, note: Note): Promise<void> {
  refuseUnlessTenantDatabase(cfg.database, tenant);
  if (await exists(cfg, cfg.database)) return;
  if (dryRun) {
    note(`would create Chroma database ${cfg.database} (tenant ${CHROMA_TENANT})`);
    return;
  }
  const path = `/api/v2/tenants/${CHROMA_TENANT}/databases`;
  const a = await call(cfg, "POST", path, { name: cfg.database });
  if (a.status === 409) return;
  if (a.status !== 200) throw failure("POST", path, a);
  note(`created Chroma database ${cfg.database} (tenant ${CHROMA_TENANT})`);
}

/** `--drop`: the tenant's collections, then its database; what is already gone is skipped. */
export async function dropChromaDatabase(cfg: ChromaConfig, tenant: string | undefined, dryRun: boolean, note: Note): Promise<void> {
  refuseUnlessTenantDatabase(cfg.database, tenant);
  if (!(await exists(cfg, cfg.database))) return;
  const base = databasePath(cfg.database);
  const list = await call(cfg, "GET", `${base}/collections`);
  if (list.status !== 200 || !Array.isArray(list.body)) throw failure("GET", `${base}/collections`, list);
  for (const c of list.body as { name?: unknown }[]) {
    const name = String(c?.name);
    const path = `${base}/collections/${encodeURIComponent(name)}`;
    if (!dryRun) {
      const a = await call(cfg, "DELETE", path);
      // 0.6.3 answers a collection deleted meanwhile with 400 "Collection <name> does not exist."
      const gone = a.status === 400 && /does not exist/.test(JSON.stringify(a.body));
      if (a.status !== 200 && !gone) throw failure("DELETE", path, a);
    }
    note(`${dryRun ? "would drop" : "dropped"} Chroma collection ${name} of database ${cfg.database}`);
  }
  if (!dryRun) {
    const a = await call(cfg, "DELETE", base);
    if (a.status !== 200 && a.status !== 404) throw failure("DELETE", base, a);
  }
  note(`${dryRun ? "would drop" : "dropped"} Chroma database ${cfg.database} (tenant ${CHROMA_TENANT})`);
}
