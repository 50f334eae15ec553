import { Client } from "pg";
import { JobError, oneLine } from "./errors";

/** One table as the manifest records it: what verify, restore and the drill compare against. */
export interface TableStat {
  /** `schema.table`, quoted as PostgreSQL would print it. */
  name: string;
  rows: number;
  bytes: number;
}

const USER_TABLES = `
  select format('%I.%I', n.nspname, c.relname) as name, pg_total_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema')
     and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
     and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
   order by 1`;

/**
 * A REPEATABLE READ transaction whose snapshot pg_dump shares (`--snapshot`): the row counts
 * taken in it are exactly the rows in the dump, however many writes happen meanwhile.
 */
export class DumpSnapshot {
  private constructor(
    private readonly client: Client,
    readonly id: string,
  ) {}

  static async open(url: string, signal: AbortSignal): Promise<DumpSnapshot> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 15_000, application_name: "backup-job snapshot" });
    client.on("error", () => undefined); // a dropped connection surfaces as a rejected query
    const end = () => void client.end().catch(() => undefined);
    signal.addEventListener("abort", end, { once: true });
    try {
      await client.connect();
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const { rows } = await client.query<{ id: string }>("select pg_export_snapshot() as id");
      return new DumpSnapshot(client, rows[0].id);
    } catch (err) {
      end();
      throw new JobError(`opening the dump's snapshot: ${oneLine(err)}`);
    }
  }

  /** Exact counts (count(*), not statistics): the point is to notice a dump that lost rows. */
  async tables(): Promise<TableStat[]> {
    const { rows } = await this.client.query<{ name: string; bytes: string }>(USER_TABLES);
    const out: TableStat[] = [];
    for (const r of rows) {
      const c = await this.client.query<{ n: string }>(`select count(*)::bigint as n from only ${r.name}`);
      out.push({ name: r.name, rows: Number(c.rows[0].n), bytes: Number(r.bytes) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.query("COMMIT").catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }
}

/** Row counts of a restored database, to compare with the manifest's. */
export async function countRows(url: string, names: string[]): Promise<Map<string, number>> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const out = new Map<string, number>();
    for (const name of names) {
      const r = await client.query<{ n: string }>(`select count(*)::bigint as n from only ${name}`).catch(() => undefined);
      out.set(name, r ? Number(r.rows[0].n) : -1);
    }
    return out;
  } finally {
    await client.end().catch(() => undefined);
  }
}
