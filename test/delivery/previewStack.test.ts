import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { PreviewBackend } from "../../tools/preview-stack/automation";
import { run } from "../../tools/preview-stack/cli";
import { files, setup } from "./support/fakePreviewBackend";
import {
  CLI_MISSING_MESSAGE,
  ConfigMap,
  decideSweep,
  derivePreviewConfig,
  isCliMissing,
  parsePrNumber,
  previewTags,
  prNumberOf,
  secretKeys,
  StackInfo,
  stackNameFor,
  TAGS,
  UsageError,
} from "../../tools/preview-stack/decisions";

const ROOT = path.resolve(__dirname, "..", "..");

describe("stack names", () => {
  it.each(["1", "42", "9007199254740991"])("accepts PR number %s", (raw) => {
    expect(stackNameFor(parsePrNumber(raw))).toBe(`pr-${raw}`);
  });
  it.each(["0", "-3", "012", "1.5", "1e3", "abc", "", " ", "9007199254740993", "pr-4"])("rejects %j", (raw) => {
    expect(() => parsePrNumber(raw)).toThrow(UsageError);
  });
  it("recognises preview stacks, also fully qualified", () => {
    expect(prNumberOf("pr-7")).toBe(7);
    expect(prNumberOf("acme/chatbot/pr-7")).toBe(7);
    expect(prNumberOf("staging")).toBeNull();
    expect(prNumberOf("pr-07")).toBeNull();
    expect(prNumberOf("pr-7-old")).toBeNull();
  });
});

describe("secret keys and derived config", () => {
  const staging = YAML.parse(`
config:
  aws:region: eu-central-1
  chatbot:telegramBotToken:
    secure: AAABAxyz
  chatbot:discordBotToken:
    secure: AAABAabc
  chatbot:dbInstanceClass: db.t4g.small
`);
  const project = YAML.parse(`
name: chatbot
config:
  openaiApiKey:
    type: string
    secret: true
  natGateways:
    type: integer
    default: 1
`);

  it("collects secure values of staging and secret declarations of Pulumi.yaml, namespaced", () => {
    expect(secretKeys({ sourceStackFile: staging, projectFile: project })).toEqual([
      "chatbot:discordBotToken",
      "chatbot:openaiApiKey",
      "chatbot:telegramBotToken",
    ]);
    expect(secretKeys({})).toEqual([]);
  });

  const source: ConfigMap = {
    "aws:region": { value: "eu-central-1" },
    "chatbot:telegramBotToken": { value: "tg-secret", secret: true },
    "chatbot:discordBotToken": { value: "dc-secret", secret: true },
    "chatbot:openaiApiKey": { value: "sk-secret", secret: true },
    "chatbot:dbInstanceClass": { value: "db.t4g.small" },
  };
  const keys = ["chatbot:discordBotToken", "chatbot:openaiApiKey", "chatbot:telegramBotToken"];

  it("takes plain values from the template and every secret from staging, as secrets", () => {
    const template = YAML.parse(`
config:
  aws:region: eu-central-1
  chatbot:dbInstanceClass: db.t4g.micro
  natGateways: 1
  chatbot:protectStateful: false
  chatbot:alarmEmails: [a@example.com]
`);
    const d = derivePreviewConfig({ template, sourceConfig: source, secretKeys: keys });
    expect(d.config).toEqual({
      "aws:region": { value: "eu-central-1" },
      "chatbot:alarmEmails": { value: '["a@example.com"]' },
      "chatbot:dbInstanceClass": { value: "db.t4g.micro" },
      "chatbot:discordBotToken": { value: "dc-secret", secret: true },
      "chatbot:natGateways": { value: "1" },
      "chatbot:openaiApiKey": { value: "sk-secret", secret: true },
      "chatbot:protectStateful": { value: "false" },
      "chatbot:telegramBotToken": { value: "tg-secret", secret: true },
    });
    expect(d.copiedSecrets).toEqual(keys);
    // staging's non-secret config is not copied: the template decides.
    expect(d.config["chatbot:dbInstanceClass"].value).toBe("db.t4g.micro");
  });

  it("lets the template give a secret its own value, still as a secret; ignores its encrypted values", () => {
    const template = { config: { "chatbot:telegramBotToken": "test-bot-token", "chatbot:discordBotToken": { secure: "xyz" } } };
    const d = derivePreviewConfig({ template, sourceConfig: source, secretKeys: keys });
    expect(d.config["chatbot:telegramBotToken"]).toEqual({ value: "test-bot-token", secret: true });
    expect(d.config["chatbot:discordBotToken"]).toEqual({ value: "dc-secret", secret: true });
    expect(d.notes.join("\n")).toMatch(/chatbot:discordBotToken: encrypted value/);
  });

  it("names every secret staging lacks", () => {
    const partial = { "chatbot:telegramBotToken": source["chatbot:telegramBotToken"] };
    expect(() => derivePreviewConfig({ template: {}, sourceConfig: partial, secretKeys: keys })).toThrow(/chatbot:discordBotToken, chatbot:openaiApiKey/);
  });

  it("rejects a template that is not a map", () => {
    expect(() => derivePreviewConfig({ template: ["x"], sourceConfig: {}, secretKeys: [] })).toThrow(/top level/);
  });
});

describe("tags and sweep decisions", () => {
  const now = new Date("2026-03-10T12:00:00Z");

  it("tags with PR, creation time, update time and TTL; keeps the creation time on update", () => {
    expect(previewTags(12, now, 48)).toEqual({
      [TAGS.pr]: "12",
      [TAGS.createdAt]: "2026-03-10T12:00:00.000Z",
      [TAGS.updatedAt]: "2026-03-10T12:00:00.000Z",
      [TAGS.ttlHours]: "48",
    });
    const later = new Date("2026-03-11T12:00:00Z");
    const t = previewTags(12, later, 48, { [TAGS.createdAt]: "2026-03-10T12:00:00.000Z" });
    expect(t[TAGS.createdAt]).toBe("2026-03-10T12:00:00.000Z");
    expect(t[TAGS.updatedAt]).toBe("2026-03-11T12:00:00.000Z");
    expect(() => previewTags(12, now, 0)).toThrow(UsageError);
  });

  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const stacks: StackInfo[] = [
    { name: "staging", tags: {}, lastUpdate: hoursAgo(1000) },
    { name: "prod", tags: {} },
    { name: "pr-1", tags: { [TAGS.updatedAt]: hoursAgo(80), [TAGS.ttlHours]: "72" } }, // past TTL
    { name: "pr-2", tags: { [TAGS.updatedAt]: hoursAgo(10), [TAGS.ttlHours]: "72" } }, // fresh
    { name: "pr-3", tags: { [TAGS.createdAt]: hoursAgo(30), [TAGS.ttlHours]: "24" } }, // no updated-at: created-at
    { name: "acme/chatbot/pr-4", tags: {}, lastUpdate: hoursAgo(100) }, // no tags: lastUpdate, default TTL 72
    { name: "pr-5", tags: {} }, // no age at all
    { name: "pr-6", tags: { [TAGS.updatedAt]: hoursAgo(30), [TAGS.ttlHours]: "72" } },
  ];

  it("expires preview stacks past their TTL only, never other stacks, keeps ageless ones", () => {
    const d = decideSweep(stacks, now);
    expect(d.map((x) => x.name)).toEqual(["acme/chatbot/pr-4", "pr-1", "pr-2", "pr-3", "pr-5", "pr-6"]);
    expect(d.filter((x) => x.expired).map((x) => x.name)).toEqual(["acme/chatbot/pr-4", "pr-1", "pr-3"]);
    expect(d.find((x) => x.name === "pr-5")!.reason).toMatch(/no age information/);
  });

  it("--older-than also expires stacks younger than their TTL", () => {
    const d = decideSweep(stacks, now, 24);
    expect(d.filter((x) => x.expired).map((x) => x.name)).toEqual(["acme/chatbot/pr-4", "pr-1", "pr-3", "pr-6"]);
    expect(d.find((x) => x.name === "pr-6")!.reason).toMatch(/older than 24 h/);
    expect(() => decideSweep(stacks, now, -1)).toThrow(UsageError);
  });
});

describe("cli with a fake backend", () => {
  it("up derives config, copies secrets from staging, tags, and destroy removes it", async () => {
    const t = setup(files);
    expect(await run(["up", "5", "--policy-pack", "policy"], t.deps)).toBe(0);
    expect(t.calls.slice(0, 2)).toEqual([
      ["readConfig", "staging"],
      ["readOutputs", "staging"],
    ]);
    const [, stack, config, tags, packs] = t.calls[2] as [string, string, ConfigMap, Record<string, string>, string[]];
    expect(stack).toBe("pr-5");
    expect(config).toEqual({
      "chatbot:dbInstanceClass": { value: "db.t4g.micro" },
      "chatbot:sharedInfraStack": { value: "staging" },
      "chatbot:telegramBotToken": { value: "tg", secret: true },
      "chatbot:tier": { value: "preview" },
    });
    expect(tags[TAGS.pr]).toBe("5");
    expect(packs).toEqual(["policy"]);
    expect(t.output().out).toMatch(/pr-5 is up at https:\/\/pr.example.com/);

    expect(await run(["destroy", "5"], t.deps)).toBe(0);
    expect(t.output().out).toMatch(/pr-5 destroyed and removed/);
    expect(await run(["destroy", "5"], t.deps)).toBe(0);
    expect(t.output().out).toMatch(/pr-5 does not exist; nothing to do/);
  });

  it("up without the template fails with one message", async () => {
    const t = setup({});
    expect(await run(["up", "5"], t.deps)).toBe(1);
    expect(t.output().err).toMatch(/Pulumi.preview.yaml not found/);
  });

  it("sweep destroys expired preview stacks only; --dry-run destroys nothing", async () => {
    const t = setup(files);
    await run(["up", "1"], t.deps);
    t.now.t = new Date("2026-03-14T12:00:00Z"); // 96 h later
    await run(["up", "2"], t.deps);
    t.state["staging"] = { tags: {}, lastUpdate: "2020-01-01T00:00:00Z" };
    t.calls.length = 0;
    expect(await run(["sweep", "--dry-run"], t.deps)).toBe(0);
    expect(t.calls.filter((c) => c[0] === "destroy")).toEqual([]);
    expect(await run(["sweep"], t.deps)).toBe(0);
    expect(t.calls.filter((c) => c[0] === "destroy")).toEqual([["destroy", "pr-1"]]);
    expect(Object.keys(t.state).sort()).toEqual(["pr-2", "staging"]);
  });

  it("sweep lists the expired in GITHUB_OUTPUT, shows n/N progress, and --stack re-decides one stack", async () => {
    const t = setup(files);
    for (const pr of ["1", "3"]) await run(["up", pr], t.deps);
    t.now.t = new Date("2026-03-14T12:00:00Z");
    await run(["up", "2"], t.deps);
    const githubOutput = path.join(t.dir, "github-output");
    expect(await run(["sweep", "--dry-run"], { ...t.deps, githubOutput })).toBe(0);
    expect(fs.readFileSync(githubOutput, "utf8")).toBe('expired=["pr-1","pr-3"]\n');
    t.calls.length = 0;
    // pr-1 was renewed while its destroy job waited for the stack's concurrency group: kept.
    await run(["up", "1"], t.deps);
    for (const stack of ["pr-1", "pr-3"]) expect(await run(["sweep", "--stack", stack], t.deps)).toBe(0);
    expect(t.calls.filter((c) => c[0] === "destroy")).toEqual([["destroy", "pr-3"]]);
    expect(t.output().err).toMatch(/preview-stack: \[1\/1\] destroy pr-3\n/);
    expect(await run(["sweep", "--stack", "pr-3"], t.deps)).toBe(0);
    expect(t.output().out).toMatch(/pr-3 does not exist; nothing to do/);
  });

  it("a bad PR number is a usage error (exit 2) and connects to nothing", async () => {
    const t = setup(files);
    let connected = false;
    const code = await run(["up", "0"], { ...t.deps, connect: async () => ((connected = true), {} as PreviewBackend) });
    expect(code).toBe(2);
    expect(connected).toBe(false);
    expect(t.output().err).toMatch(/positive integer/);
  });
});

describe("without a Pulumi CLI", () => {
  it("recognises the Automation API's ENOENT", () => {
    expect(isCliMissing(new Error("code: -2\n stderr: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"))).toBe(true);
    expect(isCliMissing(new Error("stack not found"))).toBe(false);
  });

  // Runs the real CLI with a PATH that holds no `pulumi` (it is absent on this machine; the
  // empty PATH keeps the test true on a runner that has one).
  it.each([
    ["up", "12"],
    ["destroy", "12"],
    ["sweep", "--older-than", "1"],
  ])("%s prints one line and exits 1", (...argv) => {
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), "nobin-"));
    const r = spawnSync(process.execPath, ["--require", require.resolve("tsx/cjs"), path.join(ROOT, "tools/preview-stack/cli.ts"), ...argv], {
      cwd: ROOT,
      env: { HOME: emptyBin, PATH: emptyBin },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 1, stdout: "", stderr: `${CLI_MISSING_MESSAGE}\n` });
  });
});
