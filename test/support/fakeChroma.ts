/**
 * A fake Chroma 0.6.3 on loopback, for db-init's tenant database tests: the v2 database and
 * collection routes db-init uses, with the request shapes, status codes and error bodies of
 * chromadb/server/fastapi/__init__.py at tag 0.6.3, and its token check
 * (`Authorization: Bearer <token>`, TokenAuthenticationServerProvider). Not a real server: it
 * keeps names in memory and stores no embeddings.
 *
 * Stricter than 0.6.3 on one point: the real DELETE database route calls its auth check without
 * awaiting it (so it checks nothing); here every route but the heartbeat requires the token.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { randomUUID } from "crypto";

export interface FakeChromaRequest {
  method: string;
  path: string;
  authorized: boolean;
}

export interface FakeChroma {
  url: string;
  /** Every request received, in order (the heartbeat included). */
  requests: FakeChromaRequest[];
  /** tenant -> database -> collection names. Starts with default_tenant/default_database. */
  tenants: Map<string, Map<string, Set<string>>>;
  /** Set, requests are recorded but never answered (a Chroma behind a group that drops packets). */
  hang: boolean;
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown };
const notFound: Reply = { status: 404, body: { detail: "Not Found" } }; // FastAPI's unknown route
const chromaError = (status: number, error: string, message: string): Reply => ({ status, body: { error, message } });

export async function startFakeChroma(token: string): Promise<FakeChroma> {
  const tenants = new Map([["default_tenant", new Map([["default_database", new Set<string>()]])]]);
  const requests: FakeChromaRequest[] = [];

  const route = (method: string, path: string, body: unknown): Reply => {
    // ChromaAPIRouter serves every route with and without a trailing slash.
    const p = path.replace(/\/$/, "");
    if (p === "/api/v2/heartbeat" || p === "/api/v1/heartbeat") {
      return method === "GET" ? { status: 200, body: { "nanosecond heartbeat": Date.now() * 1e6 } } : { status: 405, body: { detail: "Method Not Allowed" } };
    }
    const m = /^\/api\/v2\/tenants\/([^/]+)\/databases(?:\/([^/]+)(?:\/collections(?:\/([^/]+))?)?)?$/.exec(p);
    if (!m) return notFound;
    const [tenant, database, collection] = [m[1], m[2], m[3]].map((s) => (s === undefined ? undefined : decodeURIComponent(s)));
    const dbs = tenants.get(tenant!);
    const isCollections = p.includes("/collections");
    const allowed = !database ? ["POST", "GET"] : !isCollections ? ["GET", "DELETE"] : !collection ? ["GET", "POST"] : ["GET", "DELETE"];
    if (!allowed.includes(method)) return { status: 405, body: { detail: "Method Not Allowed" } };
    if (!database) {
      if (method === "GET") return dbs ? { status: 200, body: [...dbs.keys()].map((name) => ({ id: randomUUID(), name, tenant })) } : { status: 200, body: [] };
      const name = (body as { name?: unknown } | null)?.name;
      if (typeof name !== "string") return chromaError(400, "InvalidArgumentError", "body must be a JSON object with a string `name`");
      if (name.length < 3) return chromaError(400, "InvalidArgumentError", "Database name must be at least 3 characters long");
      if (!dbs) return chromaError(404, "NotFoundError", `Tenant ${tenant} not found`);
      if (dbs.has(name)) return chromaError(409, "UniqueConstraintError", `Database ${name} already exists for tenant ${tenant}`);
      dbs.set(name, new Set());
      return { status: 200, body: null };
    }
    const cols = dbs?.get(database);
    if (!cols) return chromaError(404, "NotFoundError", `Database ${database} not found for tenant ${tenant}`);
    if (!isCollections) {
      if (method === "GET") return { status: 200, body: { id: randomUUID(), name: database, tenant } };
      dbs!.delete(database);
      return { status: 200, body: null };
    }
    if (!collection) {
      if (method === "GET")
        return { status: 200, body: [...cols].map((name) => ({ id: randomUUID(), name, metadata: null, dimension: null, tenant, database })) };
      const name = (body as { name?: unknown } | null)?.name;
      if (typeof name !== "string") return chromaError(400, "InvalidArgumentError", "body must be a JSON object with a string `name`");
      cols.add(name);
      return { status: 200, body: { id: randomUUID(), name, metadata: null, tenant, database } };
    }
    if (!cols.has(collection)) return chromaError(400, "InvalidArgumentError", `Collection ${collection} does not exist.`);
    if (method === "DELETE") cols.delete(collection);
    return { status: 200, body: method === "DELETE" ? null : { id: randomUUID(), name: collection, tenant, database } };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const auth = req.headers.authorization;
      const authorized = auth === `Bearer ${token}`;
      requests.push({ method: req.method ?? "", path: url.pathname, authorized });
      if (fake.hang) return;
      let reply: Reply;
      const open = /^\/api\/v[12]\/heartbeat\/?$/.test(url.pathname);
      if (!open && !authorized) {
        // 0.6.3 answers a missing and a wrong token alike: ChromaAuthError, 403.
        reply = chromaError(403, "AuthError", "Forbidden");
      } else {
        const raw = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : null;
        } catch {
          /* undefined: not JSON */
        }
        // 0.6.3 parses the body with orjson whatever the Content-Type; a parse error is a ValueError, 400.
        if (req.method === "POST" && body === undefined) {
          reply = chromaError(400, "InvalidArgumentError", "request body is not JSON");
        } else {
          reply = route(req.method ?? "", url.pathname, body);
        }
      }
      res.writeHead(reply.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeChroma = {
    url: `http://127.0.0.1:${port}`,
    requests,
    tenants,
    hang: false,
    // closeAllConnections: a hung request would otherwise keep the server open.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}
