/**
 * The slice of better-sqlite3 (v12) this job uses, typed here because the package ships no
 * types and @types/better-sqlite3 is not a dependency of the project.
 */
export interface SqliteDb {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  exec(sql: string): this;
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
  /** SQLite's online backup API: a consistent copy even while other connections write. */
  backup(
    destination: string,
    options?: { progress?: (p: { totalPages: number; remainingPages: number }) => number },
  ): Promise<{ totalPages: number; remainingPages: number }>;
  close(): void;
}

export interface SqliteOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  timeout?: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require("better-sqlite3") as new (file: string, options?: SqliteOptions) => SqliteDb;

export function openSqlite(file: string, options?: SqliteOptions): SqliteDb {
  return new Database(file, options);
}

const MAGIC = Buffer.from("SQLite format 3\0", "latin1");

export function isSqliteHeader(head: Buffer): boolean {
  return head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC);
}
