/** Connections as the master user, with TLS as configured and one-line connection errors. */
import * as fs from "fs";
import { Client, ClientConfig } from "pg";
import { DbInitConfig } from "./config";

export class DbInitError extends Error {}

function ssl(cfg: DbInitConfig): ClientConfig["ssl"] {
  switch (cfg.sslMode) {
    case "disable":
      return false;
    case "require": // libpq semantics: encrypted, server certificate not verified
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true, ca: fs.readFileSync(cfg.sslRootCert!, "utf8"), servername: cfg.host };
  }
}

/** Every field is passed explicitly so node-pg does not pick up PGUSER/PGDATABASE from env. */
export async function connect(cfg: DbInitConfig, database: string): Promise<Client> {
  const client = new Client({
    host: cfg.host,
    port: cfg.port,
    user: cfg.masterUser,
    password: cfg.masterPassword,
    database,
    ssl: ssl(cfg),
    application_name: "db-init",
    connectionTimeoutMillis: 15_000,
  });
  // A dropped connection mid-run surfaces as a rejected query; without a listener it would crash.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (e) {
    throw new DbInitError(`cannot connect to ${cfg.host}:${cfg.port} as ${cfg.masterUser} (database ${database}): ${(e as Error).message}`);
  }
  return client;
}
