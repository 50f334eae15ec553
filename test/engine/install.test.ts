/**
 * `npm run engine -- install` on a machine that cannot build: one line naming the cause and the
 * fix, exit 1, and an unfinished cache entry is never taken for a CLI.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

function install(cache: string) {
  // Only node's own directory on PATH: no Go toolchain, no pulumi.
  const env = { ...process.env, PATH: path.dirname(process.execPath), XDG_CACHE_HOME: cache };
  return spawnSync(process.execPath, [require.resolve("tsx/cli"), "tools/engine/cli.ts", "install"], { cwd: ROOT, env, encoding: "utf8" });
}

it("fails in one line naming the missing Go toolchain", () => {
  const res = install(fs.mkdtempSync(path.join(os.tmpdir(), "engine-cache-")));
  expect(res.status).toBe(1);
  expect(res.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^engine: no Go toolchain on PATH: install Go .* or put pulumi v3\.\d+\.\d+ on PATH$/)]);
});

it("does not take an unfinished build for a CLI", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "engine-cache-"));
  const { cliDir } = require("../../tools/engine/cache") as typeof import("../../tools/engine/cache");
  process.env.XDG_CACHE_HOME = cache;
  const dir = cliDir();
  delete process.env.XDG_CACHE_HOME;
  // A build killed before its `complete` marker was written.
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
  const res = install(cache);
  expect(res.status).toBe(1);
  expect(res.stdout).toBe("");
  expect(res.stderr).toMatch(/no Go toolchain/);
});
