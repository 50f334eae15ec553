import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RUN_TASK_SCRIPT } from "../components/data/dbBootstrap";
import { validateConfig } from "../infra/config/validate";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const COMMAND = "command:local:Command";

describe.each(["staging", "prod"])("database bootstrap of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, any>;
  let task: PlanResource;
  let container: any;
  let run: PlanResource;
  const byName = (type: string, name: string) => one(plan, type, name);

  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = validateConfig("chatbot", stack, rendered.config.config, new Set(rendered.config.secretKeys)).settings;
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
      DB_EXTENSIONS: (config.dbExtensions as string[]).join(","),
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
    expect(pull.Resource).toBe("arn:aws:ecr:eu-central-1:123456789012:images-db-init");
  });

  it("is run by a local command that waits for the database, its network path and the task definition", () => {
    const deps = run.options.dependsOn;
    expect(deps).toContain(byName("aws:rds/instance:Instance", "postgres-instance").urn);
    expect(deps).toContain(task.urn);
    // The path from the jobs group to PostgreSQL, and egress for the image pull.
    const jobsIn = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.fromPort === 5432 && r.inputs.referencedSecurityGroupId === "network-jobs-sg-id");
    expect(jobsIn).toHaveLength(1);
    expect(deps).toContain(jobsIn[0].urn);
    for (const nat of ofType(plan, "aws:ec2/natGateway:NatGateway")) expect(deps).toContain(nat.urn);
  });

  it("runs the committed script against the task definition, in private subnets with the jobs group", () => {
    expect(run.inputs.create).toBe(fs.readFileSync(RUN_TASK_SCRIPT, "utf8"));
    expect(run.inputs.interpreter).toEqual(["/bin/bash", "-c"]);
    const env = run.inputs.environment as Record<string, string>;
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private")).map((s) => `${s.name}-id`);
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
    const apiSecrets = JSON.parse(String(one(plan, "aws:ecs/taskDefinition:TaskDefinition", "api-task").inputs.containerDefinitions))[0].secrets as { name: string; valueFrom: string }[];
    const appVersion = apiSecrets.find((x) => x.name === "DATABASE_URL")!.valueFrom.split(":").pop();
    const triggers = run.inputs.triggers as string[];
    expect(triggers).toHaveLength(3);
    expect(triggers.slice(0, 2)).toEqual([env.TASK_DEFINITION, appVersion]);
    expect(triggers[2]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(triggers[2]).not.toBe(triggers[1]);
    expect(JSON.stringify(run.inputs)).not.toContain("[secret]");
  });

  it("holds back every app service until the bootstrap has succeeded", () => {
    const services = plan.resources.filter((r) => r.type === "chatbot:containers:Service");
    expect(services.length).toBeGreaterThanOrEqual(1);
    for (const s of services) expect(s.options.dependsOn).toContain(run.urn);
  });
});

describe("tools/run-task.sh (with a stand-in aws CLI)", () => {
  let dir: string;
  const TASK = "arn:aws:ecs:eu-central-1:123456789012:task/chatbot-test/0123456789abcdef";
  const env = {
    CLUSTER: "chatbot-test", TASK_DEFINITION: "arn:aws:ecs:eu-central-1:123456789012:task-definition/chatbot-test-db-init:7",
    CONTAINER: "db-init", SUBNETS: "subnet-a,subnet-b", SECURITY_GROUPS: "sg-jobs", AWS_REGION: "eu-central-1",
    LOG_GROUP: "/ecs/chatbot-test-db-init", LOG_STREAM_PREFIX: "job",
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-task-"));
    // Answers like the real CLI would with the script's --query/--output text; logs every call.
    fs.writeFileSync(path.join(dir, "aws"), `#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "ecs run-task") if [[ -n "\${FAKE_RUN_FAILURE:-}" ]]; then printf 'None\\t%s\\n' "$FAKE_RUN_FAILURE"; else printf '%s\\tNone\\n' "${TASK}"; fi ;;
  "ecs wait") [[ -z "\${FAKE_NEVER_STOPS:-}" ]] || { sleep 0.2; exit 255; } ;;
  "ecs describe-tasks") printf '%s\\t%s\\t%s\\n' "$FAKE_EXIT_CODE" "$FAKE_STOP_CODE" "$FAKE_REASON" ;;
  "ecs stop-task") ;;
  "logs get-log-events") printf 'created role app (LOGIN)\\n1 change(s) applied\\n' ;;
  *) echo "fake aws: unexpected $*" >&2; exit 9 ;;
esac
`, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function runScript(extra: Record<string, string>, omit: string[] = []) {
    const log = path.join(dir, `calls-${Math.random().toString(36).slice(2)}.log`);
    fs.writeFileSync(log, "");
    const base: Record<string, string> = { ...env };
    for (const k of omit) delete base[k];
    // Exactly how the Command runs it: the script's text through `bash -c`.
    const res = spawnSync("/bin/bash", ["-c", fs.readFileSync(RUN_TASK_SCRIPT, "utf8")], {
      encoding: "utf8",
      env: { PATH: `${dir}:${process.env.PATH}`, FAKE_LOG: log, FAKE_STOP_CODE: "EssentialContainerExited", FAKE_REASON: "Essential container in task exited", ...base, ...extra },
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, calls: fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean) };
  }

  it("starts the task privately, waits, prints its log and exits 0 when the container did", () => {
    const r = runScript({ FAKE_EXIT_CODE: "0" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("1 change(s) applied");
    const start = r.calls.find((c) => c.startsWith("ecs run-task"))!;
    expect(start).toContain(`--task-definition ${env.TASK_DEFINITION}`);
    expect(start).toContain("awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-jobs],assignPublicIp=DISABLED}");
    expect(r.calls.some((c) => c.startsWith(`ecs wait tasks-stopped --cluster chatbot-test --tasks ${TASK}`))).toBe(true);
    expect(r.calls.some((c) => c.includes("--log-stream-name job/db-init/0123456789abcdef"))).toBe(true);
  });

  it.each([["1"], ["2"]])("fails with the container's exit code %s and shows the last log lines", (code) => {
    const r = runScript({ FAKE_EXIT_CODE: code });
    expect(r.status).toBe(Number(code));
    expect(r.stderr).toContain(`failed: exit code ${code}`);
    expect(r.stderr).toContain("created role app (LOGIN)");
  });

  it("fails when the container never ran, saying why", () => {
    const r = runScript({ FAKE_EXIT_CODE: "None", FAKE_STOP_CODE: "TaskFailedToStart", FAKE_REASON: "CannotPullContainerError: pull access denied" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("CannotPullContainerError");
  });

  it("fails when ECS refuses to start the task", () => {
    const r = runScript({ FAKE_RUN_FAILURE: "RESOURCE:ENI" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("did not start");
    expect(r.stderr).toContain("RESOURCE:ENI");
    expect(r.calls.filter((c) => c.startsWith("ecs wait"))).toEqual([]);
  });

  it("stops the task and fails at its deadline", () => {
    const r = runScript({ FAKE_NEVER_STOPS: "1", TIMEOUT_SECONDS: "0", FAKE_EXIT_CODE: "0" });
    expect(r.status).toBe(124);
    expect(r.calls.some((c) => c.startsWith(`ecs stop-task --cluster chatbot-test --task ${TASK}`))).toBe(true);
  });

  it("names every missing variable and calls nothing", () => {
    const r = runScript({}, ["CLUSTER", "SUBNETS"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("missing env CLUSTER SUBNETS");
    expect(r.calls).toEqual([]);
  });
});

describe("PostgreSQL server verification in the job images", () => {
  it.each(["jobs/db-init/Dockerfile", "jobs/backup/Dockerfile"])("%s installs Amazon RDS's CA bundle where the connection settings point", (file) => {
    const text = fs.readFileSync(path.join(__dirname, "..", file), "utf8");
    const { RDS_CA_BUNDLE } = require("../components/data/database") as typeof import("../components/data/database");
    expect(text).toContain("https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem");
    expect(text).toContain(RDS_CA_BUNDLE);
  });
});
