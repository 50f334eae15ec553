/**
 * The bootstrap stack's config validation and the app stack's check of its outputs: every
 * problem named with its key, value and fix, before any resource is declared.
 */
import { validateBootstrapConfig } from "../../bootstrap/config";
import { checkBootstrapEntry, covers } from "../../infra/bootstrap";

const P = "chatbot-bootstrap";
const good = {
  [`${P}:githubRepository`]: "team/infra",
  [`${P}:hostedZoneName`]: "chatbot.example.com",
  [`${P}:appStacks`]: JSON.stringify({
    staging: { domainName: "staging.chatbot.example.com", githubEnvironment: "staging", access: "deploy", wildcard: true },
    preview: { domainName: "*.staging.chatbot.example.com", githubEnvironment: "pr-stacks", access: "prStacks", imagesOf: "staging" },
  }),
};

describe("bootstrap config", () => {
  it("accepts the committed shape and fills defaults", () => {
    const cfg = validateBootstrapConfig(P, "main", good);
    expect(cfg.region).toBe("eu-central-1");
    expect(cfg.createHostedZone).toBe(true);
    expect(cfg.appStacks.preview).toMatchObject({ access: "prStacks", imagesOf: "staging", wildcard: false });
  });

  it("lists every problem at once, each with its key and value", () => {
    const raw = {
      [`${P}:hostedZoneName`]: "chatbot.example.com",
      [`${P}:createHostedZone`]: "yes",
      [`${P}:appStacks`]: JSON.stringify({
        staging: { domainName: "staging.other.org", githubEnvironment: "staging", access: "deploy" },
        prod: { domainName: "chatbot.example.com", githubEnvironment: "staging", access: "admin" },
        preview: { domainName: "x.chatbot.example.com", githubEnvironment: "pr", access: "prStacks", imagesOf: "nosuch" },
      }),
      [`${P}:githubRepo`]: "typo",
    };
    const error = (() => { try { validateBootstrapConfig(P, "main", raw); } catch (e) { return e as Error; } })();
    expect(error?.message).toMatch(/^Invalid config for bootstrap stack "main" \(7 problems\)/);
    const lines = error!.message.split("\n").slice(1);
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/chatbot-bootstrap:githubRepository = \(not set\): required.*pulumi config set chatbot-bootstrap:githubRepository/),
      expect.stringMatching(/createHostedZone = "yes": expected true or false/),
      expect.stringMatching(/appStacks.staging.domainName = "staging.other.org": not in the hosted zone chatbot.example.com/),
      expect.stringMatching(/appStacks.prod.access = "admin": expected deploy or prStacks/),
      expect.stringMatching(/appStacks.preview.imagesOf = "nosuch": expected another entry.*\(one of staging, prod\)/),
      expect.stringMatching(/githubEnvironment "staging" is given to more than one entry/),
      expect.stringMatching(/chatbot-bootstrap:githubRepo: unknown key/),
    ]));
  });
});

describe("the app stack's check of the bootstrap stack's outputs", () => {
  const cfg = { project: "chatbot", bootstrapStack: "organization/chatbot-bootstrap/main", bootstrapEntry: "staging", domainName: "staging.chatbot.example.com", wildcardCertificate: true };
  const entry = { domainName: "staging.chatbot.example.com", wildcardCertificateArn: "arn:w", certificateArn: "arn:c" };

  it("names a bootstrap stack that has no outputs (not deployed) and how to deploy it", () => {
    expect(checkBootstrapEntry(cfg, undefined)).toBe(
      "bootstrap stack organization/chatbot-bootstrap/main has no output \"appStacks\": deploy it first (`cd bootstrap && pulumi up --stack <account>`, README \"Deploying for real\"), or correct chatbot:bootstrapStack",
    );
  });

  it("names a missing entry, the entries there are, and both fixes", () => {
    expect(checkBootstrapEntry(cfg, { prod: entry })).toMatch(/no app-stack entry "staging" \(it has prod\): add it to chatbot-bootstrap:appStacks .* or set chatbot:bootstrapEntry$/);
  });

  it("refuses a domain the entry's certificate does not cover, and a missing wildcard", () => {
    expect(checkBootstrapEntry({ ...cfg, domainName: "api.chatbot.example.com" }, { staging: entry })).toMatch(/domainName = "api.chatbot.example.com" is not covered by the certificate of bootstrap entry "staging" \(staging.chatbot.example.com\)/);
    expect(checkBootstrapEntry(cfg, { staging: { ...entry, wildcardCertificateArn: undefined } })).toMatch(/wildcardCertificate is true, but bootstrap entry "staging" has no wildcard certificate/);
    expect(checkBootstrapEntry(cfg, { staging: entry })).toBe(entry);
  });

  it("lets a wildcard cover exactly one label", () => {
    expect(covers("*.staging.example.com", "pr-12.staging.example.com")).toBe(true);
    expect(covers("*.staging.example.com", "a.pr-12.staging.example.com")).toBe(false);
    expect(covers("*.staging.example.com", "staging.example.com")).toBe(false);
    expect(covers("staging.example.com", "staging.example.com")).toBe(true);
  });
});
