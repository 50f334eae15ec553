/**
 * The bootstrap stack as the offline plan renders it (`npm run plan -- main --project bootstrap`):
 * what an auditor checks of the account-wide resources, and the least privilege of each GitHub
 * environment's role.
 */
import * as path from "path";
import type { Plan, PlanResource } from "../../tools/plan/types";
import { READ_ACTIONS } from "../../bootstrap/githubPolicies";

const ROOT = path.resolve(__dirname, "../..");
let plan: Plan;

beforeAll(async () => {
  jest.resetModules();
  const { renderStack } = require(path.join(ROOT, "tools/plan/render")) as typeof import("../../tools/plan/render");
  plan = (await renderStack({ stack: "main", project: "bootstrap", load: () => require(path.join(ROOT, "bootstrap/index.ts")) })).plan;
});

const ofType = (type: string) => plan.resources.filter((r) => r.type === type);
const byName = (type: string, name: string) => ofType(type).find((r) => r.name === name)!;
const policy = (r: PlanResource) => JSON.parse(String(r.inputs.policy)).Statement as any[];
const actions = (s: any): string[] => [].concat(s.Action);

describe("bootstrap stack", () => {
  it("gives each app-stack entry its own protected secrets-provider key and alias", () => {
    const aliases = ofType("aws:kms/alias:Alias")
      .map((a) => a.inputs.name)
      .sort();
    expect(aliases).toEqual([
      "alias/chatbot-bootstrap-images",
      "alias/chatbot-preview-pulumi-secrets",
      "alias/chatbot-prod-pulumi-secrets",
      "alias/chatbot-staging-pulumi-secrets",
    ]);
    for (const key of ofType("aws:kms/key:Key")) expect(key.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect((plan.outputs.appStacks as any).prod.secretsProvider).toBe("awskms://alias/chatbot-prod-pulumi-secrets?region=eu-central-1");
  });

  it("owns the app images' repositories under the names the app stacks gave them, protected, and scans every project repository with Inspector", () => {
    const repos = ofType("aws:ecr/repository:Repository");
    expect(repos.map((r) => r.inputs.name).sort()).toEqual([
      "chatbot-prod-api",
      "chatbot-prod-discord-bot",
      "chatbot-prod-telegram-bot",
      "chatbot-staging-api",
      "chatbot-staging-discord-bot",
      "chatbot-staging-telegram-bot",
    ]);
    for (const r of repos) {
      expect(r.inputs).toMatchObject({ imageTagMutability: "IMMUTABLE", forceDelete: false });
      expect(r.options).toMatchObject({ protect: true, retainOnDelete: true });
    }
    const scanning = ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
    expect(scanning).toHaveLength(1);
    expect(scanning[0].inputs).toEqual({
      scanType: "ENHANCED",
      rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: "chatbot-*", filterType: "WILDCARD" }] }],
    });
    expect(scanning[0].options.dependsOn).toContain(ofType("aws:inspector2/enabler:Enabler")[0].urn);
    // pr-<n> stacks run staging's images: the preview entry has no repositories of its own.
    expect((plan.outputs.appStacks as any).preview.repositories.api.url).toMatch(/\/chatbot-staging-api$/);
  });

  it("issues each host's certificate by DNS validation in the zone, one per distinct name", () => {
    const certs = ofType("aws:acm/certificate:Certificate");
    expect(certs.map((c) => c.inputs.domainName).sort()).toEqual(["*.staging.chatbot.example.com", "chatbot.example.com", "staging.chatbot.example.com"]);
    for (const c of certs) expect(c.inputs.validationMethod).toBe("DNS");
    const zone = byName("aws:route53/zone:Zone", "dns-zone");
    expect(zone.options.protect).toBe(true);
    for (const record of ofType("aws:route53/record:Record")) expect(record.inputs.type).toBe("CNAME");
    expect(ofType("aws:acm/certificateValidation:CertificateValidation")).toHaveLength(3);
  });

  it("trusts GitHub's OIDC tokens of exactly one environment of the repository per role", () => {
    const roles = ofType("aws:iam/role:Role");
    const subjects = roles
      .map((r) => JSON.parse(String(r.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals)
      .map((c) => c["token.actions.githubusercontent.com:sub"])
      .sort();
    expect(subjects).toEqual(["pr-stacks", "preview", "production", "staging"].map((e) => `repo:chatbot-team/chatbot-infra:environment:${e}`));
    for (const r of roles)
      expect(JSON.parse(String(r.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"]).toBe(
        "sts.amazonaws.com",
      );
  });

  it("lets the preview role only read, and decrypt (never encrypt) with the deploy stacks' keys", () => {
    const statements = policy(byName("aws:iam/rolePolicy:RolePolicy", "github-preview"));
    const all = statements.flatMap(actions);
    for (const a of all) expect(a).toMatch(/:(Describe|List|Get|BatchGet|View)[A-Za-z*]*$|^kms:Decrypt$/);
    expect(all).not.toContain("s3:GetObject");
    expect(all).not.toContain("secretsmanager:GetSecretValue");
    expect(statements.find((s) => s.Sid === "PulumiSecretsProvider").Resource).toHaveLength(2);
  });

  it("confines the pr-stacks role to chatbot-pr-* names or pr-* tags", () => {
    const statements = policy(byName("aws:iam/rolePolicy:RolePolicy", "github-pr-stacks"));
    for (const s of statements.filter((x) => x.Effect === "Allow")) {
      const resources: string[] = [].concat(s.Resource);
      if (resources.includes("*")) {
        const readOnly = actions(s).every((a) => (READ_ACTIONS as string[]).includes(a));
        const tagged = JSON.stringify(s.Condition ?? {}).includes('"pr-*"');
        expect({ sid: s.Sid, ok: readOnly || tagged }).toEqual({ sid: s.Sid, ok: true });
      } else if (s.Sid !== "PulumiSecretsProvider" && s.Sid !== "ApiRecords" && s.Sid !== "ServiceLinkedRoles") {
        for (const r of resources) expect(r).toMatch(/chatbot-pr-/);
      }
    }
  });

  it("keeps each deploy role off every other stack's tagged resources and other stacks' IAM roles", () => {
    const statements = policy(byName("aws:iam/rolePolicy:RolePolicy", "github-staging"));
    const deny = statements.find((s) => s.Sid === "NotOtherStacks");
    expect(deny.Condition).toEqual({ StringNotEquals: { "aws:ResourceTag/stack": "staging" }, Null: { "aws:ResourceTag/stack": "false" } });
    expect(statements.find((s) => s.Sid === "PassOwnRoles").Resource).toBe("arn:aws:iam::123456789012:role/chatbot-staging*");
    expect(statements.find((s) => s.Sid === "PulumiSecretsProvider").Resource).toEqual([(plan.outputs.appStacks as any).staging.secretsKeyArn]);
  });
});
