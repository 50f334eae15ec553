/**
 * What an app stack takes from the bootstrap stack, offline: the certificate and alias record of
 * its domain, the app images' repositories, services that run no task until an image is released,
 * and the two trust/secret defects of issue 15.
 */
import { stackFileWith } from "../support/engine";
import { ofType, one, parseJsonInput, planFor } from "../support/plan";
import * as fs from "fs";
import * as path from "path";
import { offlineBootstrapOutputs } from "../../tools/plan/bootstrapOutputs";
import type { Plan } from "../../tools/plan/types";

const DIGEST = "sha256:" + "ab".repeat(32);
let staging: Plan;
let released: Plan;
let preview: Plan;

beforeAll(async () => {
  staging = (await planFor("staging")).plan;
  released = (await planFor("staging", { configFile: stackFileWith("staging", { apiImage: DIGEST }) })).plan;
  preview = (await planFor("preview")).plan;
});

/** What the plan's StackReference answered for an entry (the bootstrap stack file, offline). */
const bootstrapEntry = (_plan: Plan, entry: string) => (offlineBootstrapOutputs("chatbot/chatbot-bootstrap/main").appStacks as any)[entry];

describe("an app stack on its bootstrap stack", () => {
  it("reads the bootstrap stack by StackReference and names no account in its stack file", () => {
    expect(staging.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).toContain("chatbot/chatbot-bootstrap/main");
    for (const stack of ["staging", "prod", "preview"]) {
      const text = fs.readFileSync(path.join(__dirname, `../../Pulumi.${stack}.yaml`), "utf8");
      expect(text).not.toMatch(/\d{12}/);
    }
  });

  it("serves https://<domainName> with the bootstrap certificate and an alias record to the ALB", () => {
    const entry = bootstrapEntry(staging, "staging");
    expect(one(staging, "aws:lb/listener:Listener", "api-https").inputs.certificateArn).toBe(entry.certificateArn);
    expect(one(staging, "aws:lb/listenerCertificate:ListenerCertificate", "api-https-wildcard").inputs.certificateArn).toBe(entry.wildcardCertificateArn);
    const record = one(staging, "aws:route53/record:Record", "api-alias");
    expect(record.inputs).toMatchObject({ name: "staging.chatbot.example.com", type: "A", zoneId: entry.hostedZoneId });
    expect((record.inputs.aliases as any[])[0].name).toBe("api-alb-1234567890.eu-central-1.elb.amazonaws.com");
    expect(staging.outputs).toMatchObject({
      apiUrl: "https://staging.chatbot.example.com",
      apiDomainName: "staging.chatbot.example.com",
      hostedZoneId: entry.hostedZoneId,
    });
    expect(staging.outputs.albHttpsListenerArn).toMatch(/api-https$/);
    expect(ofType(preview, "aws:lb/listenerCertificate:ListenerCertificate")).toEqual([]);
  });

  it("creates unreleased services with no task and a scaling range of 0, and no app-image repository of its own", () => {
    for (const svc of ["api", "telegram-bot", "discord-bot"]) {
      expect(one(staging, "aws:ecs/service:Service", `${svc}-service`).inputs.desiredCount).toBe(0);
      expect(one(staging, "aws:appautoscaling/target:Target", `${svc}-scaling`).inputs).toMatchObject({ minCapacity: 0, maxCapacity: 0 });
    }
    expect(
      ofType(staging, "aws:ecr/repository:Repository")
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["chatbot-staging-backup-job", "chatbot-staging-db-init"]);
    expect(staging.outputs.apiReleased).toBe(false);
  });

  it("runs a configured digest from the bootstrap repository, scaled to its floor, pulled by its execution role", () => {
    const entry = bootstrapEntry(released, "staging");
    const image = parseJsonInput<any[]>(one(released, "aws:ecs/taskDefinition:TaskDefinition", "api-task"), "containerDefinitions")[0].image;
    expect(image).toBe(`${entry.repositories.api.url}@${DIGEST}`);
    expect(one(released, "aws:ecs/service:Service", "api-service").inputs.desiredCount).toBe(1);
    expect(one(released, "aws:appautoscaling/target:Target", "api-scaling").inputs).toMatchObject({ minCapacity: 1, maxCapacity: 2 });
    const pull = parseJsonInput(one(released, "aws:iam/rolePolicy:RolePolicy", "api-execution"), "policy").Statement.find((s: any) => s.Sid === "PullImage");
    expect(pull.Resource).toBe(entry.repositories.api.arn);
    expect(one(released, "aws:ecs/service:Service", "telegram-bot-service").inputs.desiredCount).toBe(0);
  });

  it("trusts ECS by SourceAccount on execution roles and adds SourceArn on task roles only", () => {
    const roles = ofType(staging, "aws:iam/role:Role").filter((r) => /-(execution|task)$/.test(r.name));
    expect(roles.length).toBeGreaterThan(8);
    for (const r of roles) {
      const condition = JSON.parse(String(r.inputs.assumeRolePolicy)).Statement[0].Condition;
      expect(condition.StringEquals["aws:SourceAccount"]).toBe("123456789012");
      expect({ role: r.name, sourceArn: condition.ArnLike !== undefined }).toEqual({ role: r.name, sourceArn: r.name.endsWith("-task") });
    }
  });

  it("deletes every secret of an unprotected stack without recovery, and keeps the window where protected", () => {
    const windows = (plan: Plan) => ofType(plan, "aws:secretsmanager/secret:Secret").map((s) => [s.inputs.name, s.inputs.recoveryWindowInDays]);
    expect(windows(preview).length).toBeGreaterThan(5);
    for (const [name, days] of windows(preview)) expect({ name, days }).toEqual({ name, days: 0 });
    for (const [name, days] of windows(staging)) expect({ name, days }).toEqual({ name, days: 30 });
  });
});
