/**
 * The policy pack takes each stack's tier from the stack's own config (policy/tier.ts), and is
 * publishable on its own: policy/package.json declares every package its code imports.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../../policy/policies";
import { resolveTier, stackOfUrn, stackTier, stricter } from "../../policy/tier";
import { T } from "./fixtures";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tier-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), "config:\n  chatbot:tier: staging\n");
fs.writeFileSync(path.join(dir, "Pulumi.odd.yaml"), "config:\n  chatbot:tier: gold\n");
const u = (stack: string) => `urn:pulumi:${stack}::chatbot::aws:rds/instance:Instance::db`;

describe("tier resolution", () => {
  it("reads stack and project from a URN", () => {
    expect(stackOfUrn(u("pr-12"))).toEqual({ stack: "pr-12", project: "chatbot" });
    expect(stackOfUrn("not-a-urn")).toBeUndefined();
  });

  it("reads chatbot:tier from the stack's file, or nothing when there is no valid one", () => {
    expect(stackTier(u("qa"), dir)).toBe("staging");
    expect(stackTier(u("odd"), dir)).toBeUndefined();
    expect(stackTier(u("missing"), dir)).toBeUndefined();
    expect([stackTier(u("prod")), stackTier(u("staging")), stackTier(u("preview"))]).toEqual(["production", "staging", "preview"]);
  });

  it("takes the stricter of stack config and policy config; production when neither is known", () => {
    expect(stricter("preview", "staging")).toBe("staging");
    expect(stricter(undefined, "preview")).toBe("preview");
    expect(stricter(undefined, undefined)).toBe("production");
    // Issue 18: prod paired with staging's policy config stays production.
    expect(resolveTier(u("prod"), "staging")).toBe("production");
    expect(resolveTier(u("preview"), undefined)).toBe("preview");
    expect(resolveTier(u("qa"), "production", dir)).toBe("production");
    expect(resolveTier(u("missing"), "staging", dir)).toBe("staging");
    expect(resolveTier(u("missing"), "bogus", dir)).toBe("production");
  });
});

describe("the policies use it", () => {
  const rds = policies.find((p) => p.name === "rds-production-resilience") as ResourceValidationPolicy;
  const run = async (stack: string, tier?: string) => {
    const out: string[] = [];
    const args = {
      type: T.rds,
      name: "db",
      urn: u(stack),
      props: { deletionProtection: false, multiAz: false },
      getConfig: () => (tier ? { tier } : {}),
    } as unknown as ResourceValidationArgs;
    const validate = rds.validateResource as (a: ResourceValidationArgs, report: (m: string) => void) => Promise<void> | void;
    await validate(args, (m) => out.push(m));
    return out.length;
  };

  it("holds prod to production rules with no policy config, and with staging's", async () => {
    expect(await run("prod")).toBe(2);
    expect(await run("prod", "staging")).toBe(2);
  });

  it("lets a preview stack be single-AZ because its own config says preview", async () => {
    expect(await run("preview")).toBe(0);
  });

  it("has no default in the config schema, so an unset tier leaves the stack's config to decide", () => {
    expect(rds.configSchema?.properties?.tier).not.toHaveProperty("default");
  });
});

describe("policy/package.json", () => {
  const ROOT = path.resolve(__dirname, "../..");
  const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8"));
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const sources = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? sources(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []));

  it("declares every package the pack's code imports, at the root's version", () => {
    const imported = new Set<string>();
    for (const file of sources(path.join(ROOT, "policy"))) {
      for (const m of fs.readFileSync(file, "utf8").matchAll(/\bfrom "([^".\s][^"\s]*)";/g)) {
        const name = m[1].startsWith("@") ? m[1].split("/").slice(0, 2).join("/") : m[1].split("/")[0];
        if (!["fs", "path"].includes(name)) imported.add(name);
      }
    }
    expect([...imported].sort()).toEqual(["@pulumi/policy", "yaml"]);
    for (const name of imported) expect({ name, v: pack.dependencies[name] }).toEqual({ name, v: root.dependencies[name] });
    // @pulumi/policy's peer: the SDK, at the program's version.
    expect(pack.dependencies["@pulumi/pulumi"]).toBe(root.dependencies["@pulumi/pulumi"]);
  });

  it("does not climb out of policy/ for code", () => {
    for (const file of sources(path.join(ROOT, "policy")))
      expect({ file, up: /from "\.\.\/\.\./.test(fs.readFileSync(file, "utf8")) }).toEqual({ file, up: false });
  });
});
