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
    const error = (() => {
      try {
        validateBootstrapConfig(P, "main", raw);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/^Invalid config for bootstrap stack "main" \(7 problems\)/);
    const lines = error!.message.split("\n").slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/chatbot-bootstrap:githubRepository = \(not set\): required.*pulumi config set chatbot-bootstrap:githubRepository/),
        expect.stringMatching(/createHostedZone = "yes": expected true or false/),
        expect.stringMatching(/appStacks.staging.domainName = "staging.other.org": not in the hosted zone chatbot.example.com/),
        expect.stringMatching(/appStacks.prod.access = "admin": expected deploy or prStacks/),
        expect.stringMatching(/appStacks.preview.imagesOf = "nosuch": expected another entry.*\(one of staging, prod\)/),
        expect.stringMatching(/githubEnvironment "staging" is given to more than one entry/),
        expect.stringMatching(/chatbot-bootstrap:githubRepo: unknown key/),
      ]),
    );
  });
});

describe("the app stack's check of the bootstrap stack's outputs", () => {
  const cfg = {
    project: "chatbot",
    bootstrapStack: "organization/chatbot-bootstrap/main",
    domainName: "staging.chatbot.example.com",
    wildcardCertificate: true,
  };
  const entry = { domainName: "staging.chatbot.example.com", wildcardCertificateArn: "arn:w", certificateArn: "arn:c" };

  it("names a bootstrap stack that has no outputs (not deployed) and how to deploy it", () => {
    expect(checkBootstrapEntry(cfg, undefined)).toBe(
      'bootstrap stack organization/chatbot-bootstrap/main has no output "appStacks": deploy it first (`cd bootstrap && pulumi up --stack <account>`, README "Deploying for real"), or correct chatbot:bootstrapStack',
    );
  });

  it("picks the entry of its domain, else the wildcard entry that covers it", () => {
    const preview = { domainName: "*.staging.chatbot.example.com", certificateArn: "arn:p" };
    expect(checkBootstrapEntry(cfg, { preview, staging: entry })).toBe(entry);
    expect(checkBootstrapEntry({ ...cfg, domainName: "pr-7.staging.chatbot.example.com", wildcardCertificate: false }, { preview, staging: entry })).toBe(
      preview,
    );
  });

  it("names a domain no entry has, the entries there are, and both fixes", () => {
    expect(checkBootstrapEntry({ ...cfg, domainName: "api.chatbot.example.com" }, { staging: entry })).toBe(
      'chatbot:domainName = "api.chatbot.example.com" has no entry in bootstrap stack organization/chatbot-bootstrap/main (entries: staging (staging.chatbot.example.com)): add one to chatbot-bootstrap:appStacks and run bootstrap\'s pulumi up, or correct domainName',
    );
  });

  it("refuses a wildcard certificate the entry lacks", () => {
    expect(checkBootstrapEntry(cfg, { staging: { ...entry, wildcardCertificateArn: undefined } })).toMatch(
      /wildcardCertificate is true, but bootstrap entry "staging" has no wildcard certificate/,
    );
  });

  it("lets a wildcard cover exactly one label", () => {
    expect(covers("*.staging.example.com", "pr-12.staging.example.com")).toBe(true);
    expect(covers("*.staging.example.com", "a.pr-12.staging.example.com")).toBe(false);
    expect(covers("*.staging.example.com", "staging.example.com")).toBe(false);
    expect(covers("staging.example.com", "staging.example.com")).toBe(true);
  });
});
