/**
 * tools/run-task against moto's ECS and CloudWatch Logs on loopback, through a proxy that
 * records every call (so the polling's backoff is visible): the exit-0 path with the task's log
 * lines, the exact deadline, SIGTERM, and the runner being SIGKILLed as a cancelled `pulumi up`
 * does it (the guardian stops the task).
 */
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { spawn } from "child_process";
import * as http from "http";
import * as path from "path";
import { jsonCall } from "../../tools/aws/signedCall";
import { outcome, readOptions } from "../../tools/run-task/runTask";
import { freePort } from "../support/servers";
import { Moto, startMoto } from "../support/moto";

const REGION = "eu-central-1";
const CREDS = { accessKeyId: "testing", secretAccessKey: "testing" };
const CLI = path.join(__dirname, "..", "..", "tools", "run-task", "cli.ts");

describe("tools/run-task against moto's ECS", () => {
  let moto: Moto;
  let proxy: http.Server;
  let endpoint: string;
  const calls: { target: string; at: number; body: string }[] = [];
  let ecs: ECSClient;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    // Every request goes through here on its way to moto, so the test sees what the runner asked when.
    const port = await freePort();
    proxy = http.createServer((req, res) => {
      const call = { target: String(req.headers["x-amz-target"] ?? req.url), at: Date.now(), body: "" };
      calls.push(call);
      req.on("data", (d) => (call.body += d));
      const up = http.request(`${moto.endpoint}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 500, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(port, "127.0.0.1", r));
    endpoint = `http://127.0.0.1:${port}`;
    const cfg = { region: REGION, endpoint: moto.endpoint, credentials: CREDS };
    ecs = new ECSClient(cfg);
    // moto checks that the subnets exist, and names the task's ENI only in a VPC with DNS host names.
    const ec2 = new EC2Client(cfg);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc!.VpcId, EnableDnsHostnames: { Value: true } }));
    const subnets = await Promise.all(
      ["10.0.1.0/24", "10.0.2.0/24"].map((CidrBlock) => ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock }))),
    );
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "jobs", Description: "jobs", VpcId: vpc.Vpc!.VpcId }));
    await ecs.send(new CreateClusterCommand({ clusterName: "chatbot-test" }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "chatbot-test-db-init",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        // moto sums the containers' own cpu and memory.
        containerDefinitions: [{ name: "db-init", image: "db-init:1", essential: true, cpu: 256, memory: 512 }],
      }),
    );
    env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? "/tmp",
      NODE_NO_WARNINGS: "1",
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
      CLUSTER: "chatbot-test",
      TASK_DEFINITION: td.taskDefinition!.taskDefinitionArn!,
      CONTAINER: "db-init",
      SUBNETS: subnets.map((x) => x.Subnet!.SubnetId!).join(","),
      SECURITY_GROUPS: sg.GroupId!,
      AWS_REGION: REGION,
      LOG_GROUP: "/ecs/chatbot-test-db-init",
      LOG_STREAM_PREFIX: "job",
      POLL_MIN_SECONDS: "0.1",
      POLL_MAX_SECONDS: "0.8",
    };
    await jsonCall({ service: "logs", region: REGION, endpoint: moto.endpoint, credentials: CREDS }, "Logs_20140328.CreateLogGroup", {
      logGroupName: env.LOG_GROUP,
    });
  }, 60_000);
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
    moto.stop();
  });

  /** moto advances a task one state (RUNNING ... STOPPED, four steps) per `times` DescribeTasks. */
  async function tasksStopAfter(times: number) {
    await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: "POST",
      body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times } }),
    });
  }

  function startRunner(extra: Record<string, string> = {}) {
    const child = spawn(process.execPath, ["--import", "tsx", CLI], { env: { ...env, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
    const res = { stdout: "", stderr: "", code: undefined as number | null | undefined, signal: undefined as string | null | undefined };
    child.stdout!.on("data", (d) => (res.stdout += d));
    child.stderr!.on("data", (d) => (res.stderr += d));
    const exited = new Promise<typeof res>((r) => child.on("exit", (code, signal) => r(Object.assign(res, { code, signal }))));
    const started = new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", () => {
        const m = /started (\S+)/.exec(res.stdout);
        if (m) resolve(m[1]);
      });
      exited.then(() => reject(new Error(`runner exited before starting a task: ${res.stderr}`)));
    });
    started.catch(() => undefined);
    return { child, exited, started };
  }

  const describe1 = async (arn: string) => (await ecs.send(new DescribeTasksCommand({ cluster: "chatbot-test", tasks: [arn] }))).tasks![0];

  it("runs the task in the given subnets, waits for it to stop, prints its log lines and exits 0", async () => {
    await tasksStopAfter(2);
    calls.length = 0;
    const r = startRunner();
    const arn = await r.started;
    const stream = `job/db-init/${arn.split("/").pop()}`;
    const logs = { service: "logs" as const, region: REGION, endpoint: moto.endpoint, credentials: CREDS };
    await jsonCall(logs, "Logs_20140328.CreateLogStream", { logGroupName: env.LOG_GROUP, logStreamName: stream });
    await jsonCall(logs, "Logs_20140328.PutLogEvents", {
      logGroupName: env.LOG_GROUP,
      logStreamName: stream,
      logEvents: [
        { timestamp: Date.now(), message: "created role app (LOGIN)" },
        { timestamp: Date.now(), message: "1 change(s) applied" },
      ],
    });
    const done = await r.exited;
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(done.stdout).toContain("1 change(s) applied");
    expect(done.stdout).toMatch(/exited 0/);
    const task = await describe1(arn);
    expect(task.startedBy).toBe("run-task");
    const run = JSON.parse(calls.find((c) => c.target.endsWith(".RunTask"))!.body);
    expect(run).toMatchObject({
      cluster: "chatbot-test",
      taskDefinition: env.TASK_DEFINITION,
      launchType: "FARGATE",
      count: 1,
      networkConfiguration: { awsvpcConfiguration: { subnets: env.SUBNETS.split(","), securityGroups: [env.SECURITY_GROUPS], assignPublicIp: "DISABLED" } },
    });
  });

  it("stops the task at exactly TIMEOUT_SECONDS, polling with backoff meanwhile", async () => {
    await tasksStopAfter(100_000);
    calls.length = 0;
    const r = startRunner({ TIMEOUT_SECONDS: "3" });
    const arn = await r.started;
    const t0 = Date.now();
    const done = await r.exited;
    const elapsed = (Date.now() - t0) / 1000;
    expect(done.code).toBe(124);
    expect(done.stderr).toContain("still running after 3s (TIMEOUT_SECONDS); stopped it");
    // The deadline runs from RunTask's answer, just before "started" is printed; the stop is one call more.
    expect(elapsed).toBeGreaterThanOrEqual(2.8);
    expect(elapsed).toBeLessThan(4.5);
    const polls = calls.filter((c) => c.target.endsWith(".DescribeTasks")).map((c) => c.at);
    const gaps = polls.slice(1).map((t, i) => t - polls[i]);
    // 0.1 + 0.2 + 0.4 + 0.8 + 0.8 ... s: a handful of calls in 3 s, not hundreds, and the gaps grow.
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.length).toBeLessThanOrEqual(8);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0] * 3);
    expect(calls.filter((c) => c.target.endsWith(".StopTask"))).toHaveLength(1);
    const task = await describe1(arn);
    expect(task.desiredStatus).toBe("STOPPED");
    expect(task.stoppedReason).toBe("run-task timed out after 3s");
  }, 30_000);

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "on %s stops the task it started and exits %d",
    async (sig, code) => {
      await tasksStopAfter(100_000);
      const r = startRunner();
      const arn = await r.started;
      r.child.kill(sig);
      const done = await r.exited;
      expect(done.code).toBe(code);
      expect(done.stderr).toContain(`interrupted by ${sig}; stopped`);
      const task = await describe1(arn);
      expect(task.stoppedReason).toBe(`run-task interrupted (${sig})`);
    },
    30_000,
  );

  it("when killed outright (a cancelled pulumi up), its guardian stops the task", async () => {
    await tasksStopAfter(100_000);
    const r = startRunner();
    const arn = await r.started;
    r.child.kill("SIGKILL");
    await r.exited;
    let task = await describe1(arn);
    for (let i = 0; i < 100 && task.desiredStatus !== "STOPPED"; i++) {
      await new Promise((res) => setTimeout(res, 200));
      task = await describe1(arn);
    }
    expect(task.desiredStatus).toBe("STOPPED");
    expect(task.stoppedReason).toMatch(/the run that started it ended before the task/);
  }, 40_000);

  it("names every missing variable, exits 2 and calls nothing", async () => {
    calls.length = 0;
    const r = startRunner({ CLUSTER: "", SUBNETS: "" });
    const done = await r.exited;
    expect(done.code).toBe(2);
    expect(done.stderr.trim()).toBe("run-task: missing env CLUSTER SUBNETS");
    expect(calls).toEqual([]);
  });
});

describe("what a stopped task means for the deploy", () => {
  const arn = "arn:aws:ecs:eu-central-1:123456789012:task/chatbot-test/0123456789abcdef";
  it.each([[1], [2]])("exit code %d of the container is the runner's", (exitCode) => {
    const r = outcome(
      { taskArn: arn, stopCode: "EssentialContainerExited", stoppedReason: "Essential container in task exited", containers: [{ name: "db-init", exitCode }] },
      "db-init",
    );
    expect(r).toEqual({ code: exitCode, line: `0123456789abcdef failed: exit code ${exitCode}, EssentialContainerExited: Essential container in task exited` });
  });
  it("a container that never ran is 1, with ECS's reason", () => {
    const r = outcome(
      { taskArn: arn, stopCode: "TaskFailedToStart", stoppedReason: "CannotPullContainerError: pull access denied", containers: [{ name: "db-init" }] },
      "db-init",
    );
    expect(r.code).toBe(1);
    expect(r.line).toContain("never ran (TaskFailedToStart: CannotPullContainerError: pull access denied)");
  });
  it("refuses OVERRIDES that are not JSON, naming the variable", () => {
    const base = { CLUSTER: "c", TASK_DEFINITION: "t", CONTAINER: "x", SUBNETS: "s", SECURITY_GROUPS: "g", AWS_REGION: "eu-central-1" };
    expect(() => readOptions({ ...base, OVERRIDES: "{command:" })).toThrow(/^OVERRIDES is not JSON/);
    expect(() => readOptions({ ...base, TIMEOUT_SECONDS: "15m" })).toThrow('TIMEOUT_SECONDS must be a number of seconds, got "15m"');
  });
});
