/**
 * The environment contract of db-init, validated up front so a bad deployment fails with one
 * line that names every problem, before any connection is made.
 */
import * as path from "path";
import { CHROMA_DEFAULT_DATABASE } from "./chroma";

export type SslMode = "disable" | "require" | "verify-full";

export interface DbInitConfig {
  host: string;
  port: number;
  /** RDS master user: connects to the maintenance database and creates everything. */
  masterUser: string;
  masterPassword: string;
  sslMode: SslMode;
  /** CA bundle for verify-full (the RDS global bundle); unused otherwise. */
  sslRootCert?: string;
  appDb: string;
  /** Role names are configurable because roles are cluster-wide (tests use unique ones). */
  roles: { owner: string; app: string; backup: string; readonly: string };
  appPassword: string;
  backupPassword: string;
  extensions: string[];
  schemaFile: string;
  /**
   * A tenant on a shared instance (preview stacks: `pr_<n>`): the database's and every role's name
   * carry it, and only a run with a tenant may `--drop`. Unset for a stack's own database.
   */
  tenant?: string;
  /** The tenant's database on a shared Chroma (CHROMA_URL set; only with DB_TENANT): see chroma.ts. */
  chroma?: ChromaConfig;
  /** Lines to print on stderr before running (non-fatal contract problems). */
  warnings: string[];
}

export interface ChromaConfig {
  /** Chroma's base URL, e.g. `http://chroma.staging.chatbot.internal:8000`. */
  url: string;
  /** The bearer token the server checks (CHROMA_TOKEN). */
  token: string;
  /** The database in Chroma's default tenant: always the tenant's own name (CHROMA_DATABASE may only repeat it). */
  database: string;
  /** Per request (CHROMA_TIMEOUT_MS below; tests shorten it). */
  timeoutMs: number;
}

/** Per Chroma request: a Chroma that does not answer fails the run instead of hanging the `pulumi up`. */
export const CHROMA_TIMEOUT_MS = 15_000;

/** Unquoted-identifier shape: no quoting surprises in logs, and fits NAMEDATALEN (63 bytes). */
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
/** Extension names may contain '-' (uuid-ossp); they are still quoted as identifiers. */
const EXTENSION = /^[a-z_][a-z0-9_-]{0,62}$/;
/** SCRAM is hashed client-side; printable ASCII makes SASLprep the identity (see scram.ts). */
const PASSWORD = /^[\x20-\x7e]{16,1024}$/;
const SSL_MODES: SslMode[] = ["disable", "require", "verify-full"];

/** The schema owner and maintenance database are fixed: nothing in our stacks varies them. */
export const MAINTENANCE_DB = "postgres";
export const APP_SCHEMA = "app";

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv): DbInitConfig {
  const missing: string[] = [];
  const bad: string[] = [];
  const warnings: string[] = [];
  const get = (name: string): string => {
    const v = env[name];
    if (v === undefined || v === "") missing.push(name);
    return v ?? "";
  };
  const opt = (name: string, dflt: string): string => (env[name] === undefined || env[name] === "" ? dflt : env[name]!);

  const host = get("PGHOST");
  const portText = opt("PGPORT", "5432");
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) bad.push(`PGPORT=${portText} (a port number)`);

  let masterUser = "";
  let masterPassword = "";
  if (env.DB_MASTER_SECRET) {
    if (env.DB_MASTER_USER || env.DB_MASTER_PASSWORD) bad.push("DB_MASTER_SECRET and DB_MASTER_USER/DB_MASTER_PASSWORD are both set (set one)");
    try {
      const s = JSON.parse(env.DB_MASTER_SECRET);
      masterUser = typeof s?.username === "string" ? s.username : "";
      masterPassword = typeof s?.password === "string" ? s.password : "";
    } catch {
      /* reported below without echoing the secret */
    }
    if (!masterUser || !masterPassword) bad.push('DB_MASTER_SECRET (JSON with string "username" and "password")');
  } else {
    masterUser = get("DB_MASTER_USER");
    masterPassword = get("DB_MASTER_PASSWORD");
  }

  const sslMode = opt("PGSSLMODE", "require") as SslMode;
  if (!SSL_MODES.includes(sslMode)) bad.push(`PGSSLMODE=${sslMode} (one of ${SSL_MODES.join(", ")})`);
  const sslRootCert = env.PGSSLROOTCERT || undefined;
  if (sslMode === "verify-full" && !sslRootCert) missing.push("PGSSLROOTCERT (needed by PGSSLMODE=verify-full)");

  const ident = (name: string, value: string): string => {
    if (value && !IDENT.test(value)) bad.push(`${name}=${value} (lowercase identifier: [a-z_][a-z0-9_]*, at most 63 chars)`);
    return value;
  };
  const appDb = ident("APP_DB_NAME", get("APP_DB_NAME"));
  const roles = {
    owner: ident("DB_OWNER_ROLE", opt("DB_OWNER_ROLE", "migrator")),
    app: ident("DB_APP_ROLE", opt("DB_APP_ROLE", "app")),
    backup: ident("DB_BACKUP_ROLE", opt("DB_BACKUP_ROLE", "backup")),
    readonly: ident("DB_READONLY_ROLE", opt("DB_READONLY_ROLE", "readonly")),
  };
  const names = Object.values(roles);
  if (new Set(names).size !== names.length) bad.push(`role names must differ (${names.join(", ")})`);
  if (masterUser && names.includes(masterUser)) bad.push(`role names must differ from the master user (${masterUser})`);
  if ([MAINTENANCE_DB, "template0", "template1", "rdsadmin"].includes(appDb)) bad.push(`APP_DB_NAME=${appDb} (a reserved database)`);

  const password = (name: string): string => {
    const v = get(name);
    if (v && !PASSWORD.test(v)) bad.push(`${name} (16 to 1024 printable ASCII characters; value not shown)`);
    return v;
  };
  const appPassword = password("APP_DB_PASSWORD");
  const backupPassword = password("BACKUP_DB_PASSWORD");
  if (env.READONLY_DB_PASSWORD) {
    warnings.push("READONLY_DB_PASSWORD is ignored: the readonly role is a NOLOGIN group (see jobs/db-init/README.md)");
  }

  const extensions = opt("DB_EXTENSIONS", "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  for (const e of extensions) if (!EXTENSION.test(e)) bad.push(`DB_EXTENSIONS entry "${e}" (extension name: [a-z_][a-z0-9_-]*)`);

  const tenant = env.DB_TENANT || undefined;
  if (tenant !== undefined) {
    if (!/^[a-z][a-z0-9_]{2,39}$/.test(tenant)) bad.push(`DB_TENANT=${tenant} (lowercase identifier of 3 to 40 characters, e.g. pr_123)`);
    else {
      const token = new RegExp(`(^|_)${tenant}(_|$)`);
      for (const [name, value] of [["APP_DB_NAME", appDb], ...Object.entries(roles).map(([k, v]) => [`DB_${k.toUpperCase()}_ROLE`, v])]) {
        if (value && !token.test(value))
          bad.push(`${name}=${value} (with DB_TENANT=${tenant} every name must carry the tenant, e.g. chatbot_${tenant}, ${tenant}_app)`);
      }
    }
  }

  const chroma = chromaConfig(env, tenant, missing, bad);

  const schemaFile = path.resolve(opt("SCHEMA_FILE", path.join(__dirname, "schema.sql")));

  const problems = [...(missing.length ? [`missing env ${missing.join(", ")}`] : []), ...(bad.length ? [`invalid ${bad.join("; ")}`] : [])];
  if (problems.length) throw new ConfigError(problems.join("; "));

  return {
    host,
    port,
    masterUser,
    masterPassword,
    sslMode,
    sslRootCert,
    appDb,
    roles,
    appPassword,
    backupPassword,
    extensions: [...new Set(extensions)],
    schemaFile,
    tenant,
    chroma,
    warnings,
  };
}

/**
 * CHROMA_URL (+ CHROMA_TOKEN) asks for the tenant's Chroma database. Only a tenant has one: a
 * stack's own app uses Chroma's default_database, which db-init never creates or deletes.
 */
function chromaConfig(env: NodeJS.ProcessEnv, tenant: string | undefined, missing: string[], bad: string[]): ChromaConfig | undefined {
  const url = env.CHROMA_URL || "";
  if (!url) {
    if (env.CHROMA_TOKEN || env.CHROMA_DATABASE) bad.push("CHROMA_TOKEN/CHROMA_DATABASE without CHROMA_URL (set CHROMA_URL, or neither)");
    return undefined;
  }
  if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) bad.push(`CHROMA_URL=${url} (http:// or https:// URL of the Chroma server)`);
  if (!tenant) bad.push("CHROMA_URL without DB_TENANT (db-init creates and drops only a tenant's Chroma database, never default_database)");
  const token = env.CHROMA_TOKEN || "";
  if (!token) missing.push("CHROMA_TOKEN (needed by CHROMA_URL)");
  // Chroma's token check accepts ASCII letters, digits and punctuation only (chromadb/auth/token_authn).
  else if (!/^[!-~]{1,1024}$/.test(token)) bad.push("CHROMA_TOKEN (ASCII letters, digits and punctuation; value not shown)");
  const database = env.CHROMA_DATABASE || tenant || "";
  if (tenant && database !== tenant) bad.push(`CHROMA_DATABASE=${database} (must be the tenant's own name, ${tenant})`);
  if (database === CHROMA_DEFAULT_DATABASE)
    bad.push(`CHROMA_DATABASE=${CHROMA_DEFAULT_DATABASE} (the default database is never created or dropped by db-init)`);
  return { url, token, database, timeoutMs: CHROMA_TIMEOUT_MS };
}
