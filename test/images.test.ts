import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import {
  contextTag,
  dockerignoreFor,
  ecrRepositoryArn,
  filesInContext,
  ignoreMatcher,
  parseImageSource,
  readIgnorePatterns,
} from "../components/shared/buildContext";
import type { Plan } from "../tools/plan/types";

const REPO = "aws:ecr/repository:Repository";
const IMAGE = "docker:index/image:Image";
const IMAGES = { api: "api", telegramBot: "telegram-bot", discordBot: "discord-bot", backupJob: "backup-job", dbInit: "db-init" } as const;

describe.each(["staging", "prod"])("images of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = rendered.config.config;
  });
  const cfg = (key: string) => config[`chatbot:${key}`];

  it("has one ECR repository per job image (the app images' are the bootstrap stack's): immutable tags, scan on push, encrypted with the images KMS key", () => {
    const repos = ofType(plan, REPO);
    expect(repos.map((r) => r.inputs.name).sort()).toEqual([IMAGES.backupJob, IMAGES.dbInit].map((s) => `chatbot-${stack}-${s}`).sort());
    const key = one(plan, "aws:kms/key:Key", "images-key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    for (const repo of repos) {
      expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE");
      expect(repo.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
      expect(repo.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS", kmsKey: expect.stringContaining("images-key") }]);
      expect(repo.options.dependsOn).toContain(key.urn);
      expect(repo.inputs.forceDelete).toBe(cfg("protectStatefulResources") !== "true");
    }
    expect(key.options.protect).toBe(cfg("protectStatefulResources") === "true");
  });

  it("expires all but the last ecrKeepImages images of each repository", () => {
    const policies = ofType(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      const rules = parseJsonInput(p, "policy").rules;
      expect(rules).toHaveLength(1);
      expect(rules[0].selection).toEqual({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: Number(cfg("ecrKeepImages")) });
      expect(rules[0].action).toEqual({ type: "expire" });
    }
  });

  it("builds exactly the images config says to build, for linux/amd64, pushing a content tag with a secret password", () => {
    const toBuild = Object.entries(IMAGES).filter(([k]) => cfg(`${k}Image`).startsWith("build:"));
    const built = ofType(plan, IMAGE);
    expect(built.map((b) => b.name).sort()).toEqual(toBuild.map(([, s]) => `images-${s}`).sort());
    for (const [key, suffix] of toBuild) {
      const source = parseImageSource(cfg(`${key}Image`));
      const image = one(plan, IMAGE, `images-${suffix}`);
      const args = key === "backupJob" ? { args: { PG_MAJOR: cfg("postgresVersion") } } : {};
      expect(image.inputs.build).toEqual(
        source.kind === "build" && { context: source.context, dockerfile: source.dockerfile, platform: "linux/amd64", ...args },
      );
      expect(image.inputs.imageName).toMatch(new RegExp(`/chatbot-${stack}-${suffix}:src-[0-9a-f]{32}$`));
      expect((image.inputs.registry as any).password).toBe("[secret]");
      expect(image.inputs.buildOnPreview).toBe(false);
    }
  });

  it("runs every task definition from an image pinned by digest, except an app image not released yet, whose service runs no task", () => {
    const images = ofType(plan, "aws:ecs/taskDefinition:TaskDefinition").flatMap((t) =>
      parseJsonInput<any[]>(t, "containerDefinitions").map((c) => c.image as string),
    );
    const ours = images.filter((i) => i.includes(`.amazonaws.com/chatbot-${stack}-`));
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const [key, suffix] of [
      ["apiImage", "api"],
      ["telegramBotImage", "telegram-bot"],
      ["discordBotImage", "discord-bot"],
    ]) {
      // The committed stack files release nothing yet: the app's CI sets each digest (README "Deploying for real").
      expect(cfg(key)).toBe("");
      expect(images).toContain(`123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-${stack}-${suffix}:unreleased`);
      expect(one(plan, "aws:ecs/service:Service", `${suffix}-service`).inputs.desiredCount).toBe(0);
    }
    for (const image of ours.filter((i) => !i.endsWith(":unreleased"))) expect(image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });
});

describe("image sources", () => {
  it("parses build specs (Dockerfile defaults to <context>/Dockerfile) and digest-pinned URIs", () => {
    expect(parseImageSource("build:.#jobs/db-init/Dockerfile")).toEqual({ kind: "build", context: ".", dockerfile: "jobs/db-init/Dockerfile" });
    expect(parseImageSource("build:app")).toEqual({ kind: "build", context: "app", dockerfile: "app/Dockerfile" });
    const uri = `123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-prod-api@sha256:${"a".repeat(64)}`;
    expect(parseImageSource(uri)).toEqual({ kind: "prebuilt", uri });
  });

  it("names the ECR repository an image is pulled from, and none outside ECR", () => {
    expect(ecrRepositoryArn(`123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/api@sha256:${"b".repeat(64)}`)).toBe(
      "arn:aws:ecr:eu-central-1:123456789012:repository/team/api",
    );
    expect(ecrRepositoryArn(`ghcr.io/acme/api@sha256:${"b".repeat(64)}`)).toBeUndefined();
  });
});

describe("content tag of a build (mirrors what @pulumi/docker hashes)", () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const tag = (dockerfile = "svc/Dockerfile", args: Record<string, string> = {}) => contextTag({ context: ".", dockerfile }, "linux/amd64", args, dir).tag;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
    write("svc/Dockerfile", "FROM scratch\nCOPY svc/ /svc/\n");
    write("svc/main.ts", "console.log(1)\n");
    write("README.md", "readme\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("is stable while nothing changes and a valid ECR tag", () => {
    expect(tag()).toMatch(/^src-[0-9a-f]{32}$/);
    expect(tag()).toBe(tag());
  });

  it("changes with any file of the context when no .dockerignore applies, and with the Dockerfile", () => {
    const before = tag();
    write("README.md", "changed\n");
    const afterReadme = tag();
    expect(afterReadme).not.toBe(before);
    write("svc/Dockerfile", "FROM scratch\n");
    expect(tag()).not.toBe(afterReadme);
  });

  it("ignores what <context>/.dockerignore excludes (allow-list with ! exceptions), as the provider does", () => {
    write(".dockerignore", "*\n!svc/\n");
    const before = tag();
    write("README.md", "changed\n");
    write("node_modules/x/index.js", "junk\n");
    expect(tag()).toBe(before);
    write("svc/main.ts", "console.log(2)\n");
    expect(tag()).not.toBe(before);
  });

  it("reads <Dockerfile name>.dockerignore in the context for a Dockerfile not named Dockerfile", () => {
    expect(dockerignoreFor(".", "jobs/db-init/Dockerfile")).toBe(".dockerignore");
    expect(dockerignoreFor("app", "app/api.Dockerfile")).toBe(path.join("app", "api.Dockerfile.dockerignore"));
    write("svc/api.Dockerfile", "FROM scratch\n");
    write("api.Dockerfile.dockerignore", "README.md\n");
    const before = tag("svc/api.Dockerfile");
    write("README.md", "changed\n");
    expect(tag("svc/api.Dockerfile")).toBe(before);
  });

  it("changes with the build args, in whatever order they are given", () => {
    expect(tag("svc/Dockerfile", { PG_MAJOR: "17" })).not.toBe(tag("svc/Dockerfile", { PG_MAJOR: "16" }));
    expect(tag("svc/Dockerfile", { A: "1", B: "2" })).toBe(tag("svc/Dockerfile", { B: "2", A: "1" }));
  });

  it("differs between two Dockerfiles of one context, so two images never share a tag", () => {
    write("svc/other.Dockerfile", "FROM scratch\nCOPY svc/ /svc/\n");
    expect(tag("svc/other.Dockerfile")).not.toBe(tag());
  });

  it("fails clearly for a missing context and reports a missing Dockerfile", () => {
    expect(() => contextTag({ context: "nope", dockerfile: "nope/Dockerfile" }, "linux/amd64", {}, dir)).toThrow(/build context "nope" is not a directory/);
    expect(contextTag({ context: ".", dockerfile: "gone/Dockerfile" }, "linux/amd64", {}, dir).missingDockerfile).toBe("gone/Dockerfile");
  });

  it("matches .dockerignore patterns like moby's patternmatcher", () => {
    const m = ignoreMatcher(readIgnorePatterns("# comment\n/node_modules/\n**/*.log\ndocs/*.md\n!docs/keep.md\ntmp?\n"));
    expect(m.ignored("node_modules/a/b.js")).toBe(true);
    expect(m.ignored("src/node_modules/a.js")).toBe(false);
    expect(m.ignored("a/b/c.log")).toBe(true);
    expect(m.ignored("c.log")).toBe(true);
    expect(m.ignored("docs/a.md")).toBe(true);
    expect(m.ignored("docs/keep.md")).toBe(false);
    expect(m.ignored("docs/sub/a.md")).toBe(false);
    expect(m.ignored("tmp1")).toBe(true);
    expect(m.ignored("tmp12")).toBe(false);
    expect(m.hasExclusions).toBe(true);
  });

  it("does not read an ignored directory that no exception reaches, as moby's walk skips it", () => {
    const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-prune-"));
    for (const f of ["node_modules/pkg/index.js", "jobs/a/main.ts", "jobs/b/skip.ts", "package.json"]) {
      fs.mkdirSync(path.dirname(path.join(ctx, f)), { recursive: true });
      fs.writeFileSync(path.join(ctx, f), f);
    }
    // The module object itself: the namespace imports read its properties at call time.
    const read = jest.spyOn(require("fs") as typeof fs, "readdirSync");
    try {
      expect(filesInContext(ctx, readIgnorePatterns("*\n!package.json\n!jobs/a/\n"))).toEqual(["jobs/a/main.ts", "package.json"]);
      const dirs = read.mock.calls.map(([d]) => path.relative(ctx, String(d)));
      expect(dirs).toEqual(expect.arrayContaining(["", "jobs", "jobs/a"]));
      expect(dirs.filter((d) => d.startsWith("node_modules") || d === "jobs/b")).toEqual([]);
    } finally {
      read.mockRestore();
    }
  });
});

describe("the repository-root .dockerignore @pulumi/docker builds with", () => {
  const root = path.join(__dirname, "..");
  const files = (ignoreFile: string) => new Set(filesInContext(root, readIgnorePatterns(fs.readFileSync(path.join(root, ignoreFile), "utf8"))));
  const jobs = ["jobs/backup/Dockerfile", "jobs/db-init/Dockerfile"];

  it("is the file the provider reads for the jobs' builds", () => {
    for (const dockerfile of jobs) expect(dockerignoreFor(".", dockerfile)).toBe(".dockerignore");
  });

  it("admits everything each job's own Dockerfile.dockerignore admits, and nothing neither admits", () => {
    const admitted = files(".dockerignore");
    const union = new Set<string>();
    for (const dockerfile of jobs) {
      const own = files(`${dockerfile}.dockerignore`);
      expect(own.size).toBeGreaterThan(2);
      const missing = [...own].filter((f) => !admitted.has(f));
      expect({ dockerfile, missing }).toEqual({ dockerfile, missing: [] });
      own.forEach((f) => union.add(f));
    }
    expect([...admitted].filter((f) => !union.has(f) && !f.endsWith(".dockerignore"))).toEqual([]);
    expect([...admitted].some((f) => f.startsWith("node_modules/") || f.startsWith(".git/"))).toBe(false);
  });
});
