import { stopPostgres } from "./servers";

export default async function globalTeardown(): Promise<void> {
  const { pg, s3 } = (globalThis as any).__testServers ?? {};
  if (s3) await s3.stop();
  if (pg) stopPostgres(pg.dataDir, pg.binDir);
}
