/**
 * The Node.js versions and install scripts the repository promises, in every place that says
 * them: package.json's engines, @types/node, .nvmrc, the CI matrix and README; allowScripts
 * against the lockfile's packages that have install scripts.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT, wf } from "./support/workflows";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const SUPPORTED = [22, 24]; // Node 20 reached end of life on 2026-04-30

describe("Node.js versions", () => {
  it("engines admits exactly the supported majors", () => {
    const m = /^>=(\d+) <(\d+)$/.exec(pkg.engines.node)!;
    expect(m).not.toBeNull();
    const [lo, hi] = [Number(m[1]), Number(m[2])];
    expect(SUPPORTED.every((v) => v >= lo && v < hi)).toBe(true);
    expect(lo).toBe(SUPPORTED[0]);
    expect(hi).toBe(SUPPORTED.at(-1)! + 1);
  });

  it("@types/node is the oldest supported major, so no newer API slips in", () => {
    expect(pkg.devDependencies["@types/node"]).toMatch(new RegExp(`^\\^${SUPPORTED[0]}\\.`));
    expect(lock.packages["node_modules/@types/node"].version).toMatch(new RegExp(`^${SUPPORTED[0]}\\.`));
  });

  it(".nvmrc names a supported major (the one deploys run on)", () => {
    expect(SUPPORTED).toContain(Number(fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim()));
  });

  it("CI tests every supported major", () => {
    expect(wf["preview.yml"].jobs.test.strategy?.matrix?.node).toEqual(SUPPORTED);
  });

  it("README says the same versions and no others", () => {
    const said = [...readme.matchAll(/Node\.js (\d+(?:(?:, | or | and )\d+)*)/g)].map((m) => m[1].split(/, | or | and /).map(Number));
    expect(said.length).toBeGreaterThan(0);
    for (const versions of said) expect(versions).toEqual(SUPPORTED);
  });
});

describe("install scripts", () => {
  const withScripts = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([, p]) => p.hasInstallScript)
    .map(([k]) => k.replace(/^.*node_modules\//, ""))
    .sort();

  it("allowScripts decides every package in the lockfile that has one, and nothing else", () => {
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(withScripts);
  });

  it("allows only better-sqlite3, whose native build the backup job's Chroma snapshot needs", () => {
    expect(
      Object.entries(pkg.allowScripts)
        .filter(([, v]) => v === true)
        .map(([k]) => k),
    ).toEqual(["better-sqlite3"]);
    expect(Object.values(pkg.allowScripts).every((v) => v === true || v === false)).toBe(true);
  });

  it("the repository's .npmrc makes an undecided install script fail the install", () => {
    expect(fs.readFileSync(path.join(ROOT, ".npmrc"), "utf8")).toMatch(/^strict-allow-scripts=true$/m);
  });
});
