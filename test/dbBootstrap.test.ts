import * as fs from "fs";
import * as path from "path";
import { RUN_TASK_COMMAND, runnerDigest } from "../components/data/dbBootstrap";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const COMMAND = "command:local:Command";

describe.each(["staging", "prod"])("database bootstrap of %s", (stack) => {
  let plan: Plan;
  let task: PlanResource;
  let container: any;
  let run: PlanResource;
  const byName = (type: string, name: string) => one(plan, type, name);

  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    task = ofType(plan, TASK_DEFINITION).find((t) => t.inputs.family === `chatbot-${stack}-db-init`)!;
    [container] = parseJsonInput<any[]>(task, "containerDefinitions");
    run = one(plan, COMMAND, "db-bootstrap-run");
  });

  it("runs db-init with plain connection settings and the credentials only as ECS secrets", () => {
    const env = Object.fromEntries((container.environment as any[]).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      PGHOST: `chatbot-${stack}-postgres.abcdefghijkl.eu-central-1.rds.amazonaws.com`,
      PGPORT: "5432",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/etc/ssl/certs/rds-global-bundle.pem",
      APP_DB_NAME: "chatbot",
      DB_EXTENSIONS: "pgcrypto",
    });
    const secrets = Object.fromEntries((container.secrets as any[]).map((s) => [s.name, s.valueFrom]));
    expect(secrets).toEqual({
      DB_MASTER_SECRET: expect.stringMatching(/:secret:rds!/),
      APP_DB_PASSWORD: expect.stringMatching(/postgres-app:password::$/),
      BACKUP_DB_PASSWORD: expect.stringMatching(/postgres-backup:password::$/),
    });
    expect(container.readonlyRootFilesystem).toBe(true);
    // db-init calls no AWS API: no task role at all.
    expect(task.inputs.taskRoleArn).toBeUndefined();
  });

  it("lets its execution role pull only its image and read exactly those three secrets", () => {
    const exec = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "db-bootstrap-job-execution")!;
    const statements = parseJsonInput(exec, "policy").Statement as any[];
    const read = statements.filter((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
    expect(read).toHaveLength(1);
    const arns = (container.secrets as any[]).map((s) => s.valueFrom.replace(/:password::$/, ""));
    expect([...read[0].Resource].sort()).toEqual([...new Set(arns)].sort());
    const pull = statements.find((s) => [s.Action].flat().includes("ecr:BatchGetImage"));
    expect(pull.Resource).toBe(`arn:aws:ecr:eu-central-1:123456789012:repository/chatbot-${stack}-db-init`);
  });

  it("is run by a local command that waits for the database, its network path and the task definition", () => {
    const deps = run.options.dependsOn;
    expect(deps).toContain(byName("aws:rds/instance:Instance", "postgres-instance").urn);
    expect(deps).toContain(task.urn);
    // The path from the jobs group to PostgreSQL, and egress for the image pull.
    const jobsIn = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
      (r) => r.inputs.fromPort === 5432 && r.inputs.referencedSecurityGroupId === "network-jobs-sg-id",
    );
    expect(jobsIn).toHaveLength(1);
    expect(deps).toContain(jobsIn[0].urn);
    for (const nat of ofType(plan, "aws:ec2/natGateway:NatGateway")) expect(deps).toContain(nat.urn);
  });

  it("runs the committed runner against the task definition, in private subnets with the jobs group", () => {
    expect(run.inputs.create).toBe(RUN_TASK_COMMAND);
    expect(run.inputs.interpreter).toEqual(["/bin/sh", "-c"]);
    // The command's path is relative to the project root (the provider's working directory).
    const entry = /tools\/run-task\/cli\.ts/.exec(RUN_TASK_COMMAND)![0];
    expect(fs.existsSync(path.join(__dirname, "..", entry))).toBe(true);
    const env = run.inputs.environment as Record<string, string>;
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("private"))
      .map((s) => `${s.name}-id`);
    expect(env).toMatchObject({
      TASK_DEFINITION: `arn:aws:ecs:eu-central-1:123456789012:task-definition/chatbot-${stack}-db-init:1`,
      CONTAINER: container.name,
      CLUSTER: "arn:aws:ecs:eu-central-1:123456789012:ecs-cluster",
      SECURITY_GROUPS: "network-jobs-sg-id",
      LOG_GROUP: container.logConfiguration.options["awslogs-group"],
      LOG_STREAM_PREFIX: container.logConfiguration.options["awslogs-stream-prefix"],
      AWS_REGION: "eu-central-1",
    });
    expect(env.SUBNETS.split(",").sort()).toEqual(privateSubnets.sort());
    // Re-runs when the task definition changes (image digest, host, extensions, secrets) or a password does.
    // The version ids follow the secrets' values; the app role's is the one the API pins in DATABASE_URL.
    const apiSecrets = JSON.parse(String(one(plan, "aws:ecs/taskDefinition:TaskDefinition", "api-task").inputs.containerDefinitions))[0].secrets as {
      name: string;
      valueFrom: string;
    }[];
    const appVersion = apiSecrets
      .find((x) => x.name === "DATABASE_URL")!
      .valueFrom.split(":")
      .pop();
    const triggers = run.inputs.triggers as string[];
    expect(triggers).toHaveLength(4);
    expect(triggers.slice(0, 2)).toEqual([env.TASK_DEFINITION, appVersion]);
    expect(triggers[2]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(triggers[2]).not.toBe(triggers[1]);
    // A change to the runner re-runs the bootstrap.
    expect(triggers[3]).toBe(runnerDigest());
    expect(triggers[3]).toMatch(/^run-task-sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(run.inputs)).not.toContain("[secret]");
  });

  it("holds back every app service until the bootstrap has succeeded", () => {
    const services = plan.resources.filter((r) => r.type === "chatbot:containers:Service");
    expect(services.length).toBeGreaterThanOrEqual(1);
    for (const s of services) expect(s.options.dependsOn).toContain(run.urn);
  });
});

// The runner itself is tested against moto's ECS in test/jobs/run-task.test.ts.

describe("PostgreSQL server verification in the job images", () => {
  it.each(["jobs/db-init/Dockerfile", "jobs/backup/Dockerfile"])("%s installs Amazon RDS's CA bundle where the connection settings point", (file) => {
    const text = fs.readFileSync(path.join(__dirname, "..", file), "utf8");
    const { RDS_CA_BUNDLE } = require("../components/data/database") as typeof import("../components/data/database");
    expect(text).toContain("https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem");
    expect(text).toContain(RDS_CA_BUNDLE);
  });
});
