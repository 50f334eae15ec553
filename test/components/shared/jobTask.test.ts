/** A job's task alone: no task role unless it calls AWS, EFS mounted with TLS and IAM through its access point. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";

const render = (over: Record<string, unknown>) =>
  renderComponent(() => {
    const { JobTask } = load<typeof import("../../../components/shared/jobTask")>("components/shared/jobTask");
    new JobTask("job", {
      namePrefix: "chatbot-test",
      job: "job",
      region: "eu-central-1",
      cpu: 256,
      memory: 512,
      logRetentionDays: 7,
      image: { uri: "example.org/job@sha256:" + "c".repeat(64) },
      environment: {},
      secrets: {},
      ...over,
    });
  });

describe("JobTask", () => {
  it("gives a job that calls no AWS API no task role, and an image outside ECR no pull rights", async () => {
    const plan = await render({});
    expect(typeCounts(plan)["aws:iam/role:Role"]).toBe(1);
    expect(one(plan, "aws:ecs/taskDefinition:TaskDefinition").inputs.taskRoleArn).toBeUndefined();
    const sids = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "job-execution"), "policy").Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(["WriteLogs"]);
  });

  it("mounts an EFS access point with TLS and IAM, and lets the task role mount only through it", async () => {
    const plan = await render({
      efsVolume: { fileSystemId: "fs-1", accessPointId: "fsap-1", containerPath: "/mnt/data", readOnly: true },
      scratchPath: "/tmp",
    });
    const task = one(plan, "aws:ecs/taskDefinition:TaskDefinition");
    expect(task.inputs.volumes).toEqual([
      {
        name: "efs",
        efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED", authorizationConfig: { accessPointId: "fsap-1", iam: "ENABLED" } },
      },
      { name: "scratch" },
    ]);
    const [container] = parseJsonInput<any[]>(task, "containerDefinitions");
    expect(container).toMatchObject({ readonlyRootFilesystem: true, privileged: false });
    expect(container.mountPoints).toEqual([
      { sourceVolume: "efs", containerPath: "/mnt/data", readOnly: true },
      { sourceVolume: "scratch", containerPath: "/tmp", readOnly: false },
    ]);
    const [mount] = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "job-task"), "policy").Statement;
    expect(mount.Action).toBe("elasticfilesystem:ClientMount");
    expect(mount.Condition.StringEquals["elasticfilesystem:AccessPointArn"]).toMatch(/:access-point\/fsap-1$/);
  });
});
