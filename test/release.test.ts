/**
 * Releases that tell the truth, and a rollback without a git revert (issue 17). The decision is
 * tested on responses shaped like ECS's (moto's ECS never fails or rolls back a deployment by
 * itself and lists no stopped tasks); verify, the release history and rollback run against moto's
 * ECS over HTTP, with the same calls as against AWS.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  Service,
  Task,
} from "@aws-sdk/client-ecs";
import { judge, stoppedReasons } from "../tools/release/judge";
import { Released, releasedFromOutputs, rollback, verify } from "../tools/release/release";
import { startMoto, Moto } from "./support/moto";

const ROOT = path.resolve(__dirname, "..");
const TD = (rev: number) => `arn:aws:ecs:eu-central-1:123456789012:task-definition/chatbot-prod-api:${rev}`;
const at = (s: string) => new Date(`2026-12-01T${s}Z`);

function service(primary: Record<string, unknown>, others: Record<string, unknown>[] = []): Service {
  return {
    serviceName: "chatbot-prod-api",
    status: "ACTIVE",
    taskDefinition: String(primary.taskDefinition),
    deployments: [{ status: "PRIMARY", desiredCount: 2, runningCount: 2, createdAt: at("10:00:00"), updatedAt: at("10:05:00"), ...primary }, ...others],
  } as Service;
}
const crashed: Task = {
  taskDefinitionArn: TD(8),
  stopCode: "EssentialContainerExited",
  stoppedReason: "Essential container in task exited",
  stoppedAt: at("10:07:00"),
  containers: [{ name: "api", exitCode: 1, reason: undefined }],
};
const noPull: Task = {
  taskDefinitionArn: TD(8),
  stopCode: "TaskFailedToStart",
  stoppedAt: at("10:02:00"),
  stoppedReason: "CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
  containers: [{ name: "api" }],
};

describe("judging a service's latest deployment", () => {
  it("passes a COMPLETED deployment of the released task definition with every task running", () => {
    expect(judge("api", service({ taskDefinition: TD(8), rolloutState: "COMPLETED" }), TD(8), [])).toEqual({ service: "api", ok: true });
  });

  it("fails a release the circuit breaker rolled back, naming the state and the stopped tasks' reasons", () => {
    // After a rollback ECS makes the previous revision PRIMARY again and completes it.
    const v = judge("api", service({ taskDefinition: TD(7), rolloutState: "COMPLETED", rolloutStateReason: "ECS deployment ecs-svc/1 completed." }), TD(8), [
      noPull,
      noPull,
      crashed,
    ]);
    expect(v.ok).toBe(false);
    expect(v.problem).toBe(
      "rolled back: rolloutState COMPLETED on chatbot-prod-api:7, not the released chatbot-prod-api:8 (ECS deployment ecs-svc/1 completed.); stopped tasks: " +
        "2x CannotPullContainerError: pull image manifest has been retried 5 time(s): not found | Essential container in task exited (api: exit 1)",
    );
  });

  it("fails a FAILED or still IN_PROGRESS rollout", () => {
    expect(
      judge(
        "api",
        service({ taskDefinition: TD(8), rolloutState: "FAILED", rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start." }),
        TD(8),
        [],
      ).problem,
    ).toBe("rolloutState FAILED (ECS deployment circuit breaker: tasks failed to start.)");
    expect(judge("api", service({ taskDefinition: TD(8), rolloutState: "IN_PROGRESS" }), TD(8), []).problem).toBe("rolloutState IN_PROGRESS");
  });

  it("fails a completed deployment whose tasks keep stopping, or that runs fewer tasks than desired", () => {
    expect(judge("api", service({ taskDefinition: TD(8), rolloutState: "COMPLETED" }), TD(8), [crashed]).problem).toBe(
      "rolloutState COMPLETED, but tasks keep stopping; stopped tasks: Essential container in task exited (api: exit 1)",
    );
    expect(judge("api", service({ taskDefinition: TD(8), rolloutState: "COMPLETED", runningCount: 1 }), TD(8), []).problem).toBe(
      "rolloutState COMPLETED but 1/2 tasks running",
    );
    // A task stopped before this deployment (the old release's) is not held against it.
    expect(judge("api", service({ taskDefinition: TD(8), rolloutState: "COMPLETED" }), TD(8), [{ ...crashed, stoppedAt: at("09:00:00") }]).ok).toBe(true);
  });

  it("names a missing service", () => {
    expect(judge("discordBot", undefined, TD(1), []).problem).toBe("service not found in the cluster");
    expect(stoppedReasons([])).toEqual([]);
  });
});

describe("verify and rollback against moto's ECS", () => {
  let moto: Moto;
  let ecs: ECSClient;
  const image = (c: string) => `123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-prod-api@sha256:${c.repeat(64)}`;
  let released: Released;
  const outputsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "release-")), "outputs.json");

  async function release(img: string, secretVersion: string): Promise<string> {
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "chatbot-prod-api",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          {
            name: "api",
            image: img,
            essential: true,
            secrets: [{ name: "LLM_API_KEY", valueFrom: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:llm:::${secretVersion}` }],
          },
        ],
      }),
    );
    const arn = td.taskDefinition!.taskDefinitionArn!;
    // moto starts a deployment only on create (MOTO_ECS_SERVICE_RUNNING makes it COMPLETED): a release re-creates the service.
    await ecs.send(new DeleteServiceCommand({ cluster: "chatbot-prod", service: "chatbot-prod-api", force: true })).catch(() => undefined);
    await ecs.send(
      new CreateServiceCommand({ cluster: "chatbot-prod", serviceName: "chatbot-prod-api", taskDefinition: arn, desiredCount: 1, launchType: "FARGATE" }),
    );
    const outputs = {
      region: "eu-central-1",
      ecsClusterName: "chatbot-prod",
      ecsServiceNames: { api: "chatbot-prod-api" },
      ecsTaskDefinitionArns: { api: arn },
    };
    fs.writeFileSync(outputsFile, JSON.stringify(outputs));
    released = releasedFromOutputs("prod", outputs);
    return arn;
  }
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "tools/release/cli.ts", ...args, "--outputs", outputsFile], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_ENDPOINT_URL_ECS: moto.endpoint,
        AWS_REGION: "eu-central-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        NODE_NO_WARNINGS: "1",
      },
    });
  const revisions = async () => (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "chatbot-prod-api" }))).taskDefinitionArns!.length;

  beforeAll(async () => {
    moto = await startMoto({ MOTO_ECS_SERVICE_RUNNING: "1" });
    ecs = new ECSClient({ region: "eu-central-1", endpoint: moto.endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    await ecs.send(new CreateClusterCommand({ clusterName: "chatbot-prod" }));
  }, 30000);
  afterAll(() => {
    ecs?.destroy();
    moto?.stop();
  });

  it("verify passes a healthy release and records it; with nothing healthy before it there is no rollback", async () => {
    await release(image("a"), "v1");
    const run = cli("verify", "prod");
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: "ok    api\nrelease of prod healthy; recorded as a rollback target\n" });
    expect((await rollback(ecs, "prod", released, "previous").catch((e) => e)).message).toBe(
      "release: api (chatbot-prod-api) has no earlier healthy release to roll back to",
    );
  }, 30000);

  it("verify fails a release whose deployment ECS rolled back, naming the service and the state", async () => {
    const rev2 = await release(image("b"), "v1");
    expect((await verify(ecs, released)).every((v) => v.ok)).toBe(true);
    // The next release's revision is registered, but the service's PRIMARY deployment stays on rev2 (a rollback's shape).
    const rev3 = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "chatbot-prod-api",
          containerDefinitions: [{ name: "api", image: image("c"), essential: true }],
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    fs.writeFileSync(
      outputsFile,
      JSON.stringify({ ecsClusterName: "chatbot-prod", ecsServiceNames: { api: "chatbot-prod-api" }, ecsTaskDefinitionArns: { api: rev3 } }),
    );
    const run = cli("verify", "prod");
    expect(run.status).toBe(1);
    expect(run.stdout).toBe(
      `FAIL  api (chatbot-prod-api): rolled back: rolloutState COMPLETED on ${rev2.split("/").pop()}, not the released ${rev3.split("/").pop()} (${
        (await ecs.send(new DescribeServicesCommand({ cluster: "chatbot-prod", services: ["chatbot-prod-api"] }))).services![0].deployments![0]
          .rolloutStateReason
      })\nrelease of prod FAILED: api\n`,
    );
  }, 30000);

  it("rollback --to previous re-deploys the last healthy image, keeping the current secret versions", async () => {
    await release(image("d"), "v2-rotated");
    await verify(ecs, released);
    const run = cli("rollback", "prod");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`rolled api: ${image("d")} -> ${image("b")}`);
    expect(run.stdout).toContain(`pulumi config set chatbot:apiImage ${image("b")} --stack prod`);
    const now = (await ecs.send(new DescribeServicesCommand({ cluster: "chatbot-prod", services: ["chatbot-prod-api"] }))).services![0].taskDefinition!;
    const def = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: now }))).taskDefinition!;
    expect(def.containerDefinitions![0].image).toBe(image("b"));
    // A rollback must not bring back a rotated (possibly leaked) secret: the version stays the current one.
    expect(def.containerDefinitions![0].secrets![0].valueFrom).toMatch(/:::v2-rotated$/);
  }, 30000);

  it("rollback --to <digest> accepts a digest a healthy release used, and refuses any other in one line, deploying nothing", async () => {
    await release(image("e"), "v2-rotated");
    await verify(ecs, released);
    const before = await revisions();
    const unknown = `sha256:${"f".repeat(64)}`;
    const bad = cli("rollback", "prod", "--to", unknown);
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({
      status: 1,
      stderr: `release: ${unknown} was not used by any healthy release of prod; nothing deployed\n`,
    });
    // rev "c" was registered but never verified healthy: not a rollback target either.
    expect(cli("rollback", "prod", "--to", `sha256:${"c".repeat(64)}`).status).toBe(1);
    expect(cli("rollback", "prod", "--to", "latest").stderr).toBe('release: --to must be "previous" or sha256:<64 hex>, not "latest"\n');
    expect(await revisions()).toBe(before);
    const good = cli("rollback", "prod", "--to", `sha256:${"a".repeat(64)}`);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain(`rolled api: ${image("e")} -> ${image("a")}`);
    expect(await revisions()).toBe(before + 1);
  }, 60000);
});
