/**
 * Shared fixtures for the backup job tests: per-file databases and buckets on the real servers
 * started by globalSetup, the job's env, and a way to run main() capturing its output.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Client } from "pg";
import { main } from "../../../jobs/backup/cli";

export const REGION = "us-east-1";

export function s3(): S3Client {
  return new S3Client({
    endpoint: process.env.TEST_S3_ENDPOINT,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: process.env.TEST_S3_ACCESS_KEY!, secretAccessKey: process.env.TEST_S3_SECRET_KEY! },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** Unique per test file and run, so parallel jest workers never share a database or bucket. */
export function uniqueName(tag: string): string {
  return `bk-${tag}-${process.pid}-${Date.now().toString(36)}`.toLowerCase();
}

export async function createBucket(name: string): Promise<void> {
  await s3().send(new CreateBucketCommand({ Bucket: name }));
}

export function dbUrl(db: string): string {
  const u = new URL(process.env.TEST_PG_URL!);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function withDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(name: string): Promise<string> {
  await withDb(process.env.TEST_PG_URL!, (c) => c.query(`create database "${name.replace(/-/g, "_")}"`));
  return dbUrl(name.replace(/-/g, "_"));
}

export function jobEnv(bucket: string, prefix: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    BACKUP_BUCKET: bucket,
    BACKUP_PREFIX: prefix,
    AWS_REGION: REGION,
    S3_ENDPOINT: process.env.TEST_S3_ENDPOINT!,
    AWS_ACCESS_KEY_ID: process.env.TEST_S3_ACCESS_KEY!,
    AWS_SECRET_ACCESS_KEY: process.env.TEST_S3_SECRET_KEY!,
    PG_BIN_DIR: process.env.TEST_PG_BIN!,
    ...extra,
  };
}

export interface Ran {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the CLI in-process with a fixed clock, so backup timestamps are chosen by the test. */
export async function runJob(argv: string[], env: NodeJS.ProcessEnv, at = new Date()): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l), now: () => at });
  return { code, out, err };
}

export async function keysUnder(bucket: string, prefix: string): Promise<string[]> {
  const res = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

export async function getObject(bucket: string, key: string): Promise<{ etag: string; bytes: Buffer }> {
  const res = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { etag: res.ETag!, bytes: Buffer.from(await res.Body!.transformToByteArray()) };
}

/** A schema that exercises what a dump must carry: bytea, non-ASCII text, a sequence, an index, FKs, jsonb. */
export async function seed(url: string): Promise<void> {
  const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const big = Buffer.alloc(300_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 8)) & 0xff;
  await withDb(url, async (c) => {
    await c.query(`
      create sequence invoice_no start 1000;
      create table users (id serial primary key, name text not null, bio text, joined date not null);
      create index users_name_idx on users (lower(name));
      create table blobs (id int primary key, user_id int not null references users(id), data bytea not null);
      create table events (
        id bigint generated always as identity primary key,
        user_id int references users(id),
        payload jsonb not null,
        amount numeric(30, 12),
        invoice int not null default nextval('invoice_no')
      );`);
    const names = ["Zoë Ångström", "日本語のユーザー", "Ελληνικά", "emoji 🚀🔐", "plain", "tab\tand\nnewline", "quote ' \" \\"];
    for (const [i, n] of names.entries()) {
      await c.query("insert into users (name, bio, joined) values ($1, $2, $3)", [n, `bio of ${n} — ✓`, `2024-0${(i % 9) + 1}-1${i}`]);
    }
    await c.query("insert into blobs values (1, 1, $1), (2, 2, $2), (3, 3, $3)", [allBytes, big, Buffer.alloc(0)]);
    for (let i = 0; i < 50; i++) {
      await c.query("insert into events (user_id, payload, amount) values ($1, $2, $3)", [
        (i % names.length) + 1,
        { i, wallet: `0x${i.toString(16).padStart(40, "0")}`, note: "₿ → Ξ" },
        `${i}.000000000001`,
      ]);
    }
    await c.query("select nextval('invoice_no') from generate_series(1, 7)");
  });
}

/** Everything seed() wrote, as comparable plain data (bytea as hex, sequence state, index definitions). */
export async function snapshot(url: string): Promise<unknown> {
  return withDb(url, async (c) => {
    const q = async (sql: string) => (await c.query(sql)).rows;
    return {
      users: await q("select id, name, bio, joined::text from users order by id"),
      blobs: await q("select id, user_id, encode(data, 'hex') as data, length(data) as len from blobs order by id"),
      events: await q("select id, user_id, payload::text, amount::text, invoice from events order by id"),
      invoiceNo: await q("select last_value, is_called from invoice_no"),
      usersIdSeq: await q("select last_value from users_id_seq"),
      indexes: await q("select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname"),
    };
  });
}

/** The backup folder ids (`<timestamp>-<run id>`) under a prefix, sorted; optionally those of one timestamp. */
export async function backupIds(bucket: string, prefix: string, ts = ""): Promise<string[]> {
  const keys = await keysUnder(bucket, `${prefix}/${ts}`);
  return [...new Set(keys.map((k) => k.slice(prefix.length + 1).split("/")[0]))].sort();
}

/** The one backup taken at `ts` (fails if there is not exactly one). */
export async function backupAt(bucket: string, prefix: string, ts: string): Promise<string> {
  const ids = await backupIds(bucket, prefix, ts);
  if (ids.length !== 1) throw new Error(`expected one backup at ${ts} under ${prefix}, found ${ids.join(", ") || "none"}`);
  return ids[0];
}
