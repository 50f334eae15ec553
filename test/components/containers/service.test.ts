/** One Fargate service alone: private, read-only, rolling with rollback, autoscaled, secrets via ECS only. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const SERVICE = "aws:ecs/service:Service";
const POLICY = "aws:appautoscaling/policy:Policy";
const TOKEN_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:bot-token-AbCdEf";

const render = (over: Record<string, unknown>) =>
  renderComponent(() => {
    const { Service } = load<typeof import("../../../components/containers/service")>("components/containers/service");
    new Service("bot", {
      namePrefix: "chatbot-test",
      serviceName: "bot",
      region: "eu-central-1",
      clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/c",
      clusterName: "c",
      image: { uri: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/bot@sha256:" + "b".repeat(64) },
      cpu: 256,
      memory: 512,
      minCount: 1,
      maxCount: 1,
      cpuTargetPercent: 60,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg-app"],
      environment: { APP_ENV: "test" },
      secrets: { BOT_TOKEN: { secretArn: TOKEN_ARN, versionId: "v7" } },
      logRetentionDays: 7,
      writablePaths: ["/tmp"],
      ...over,
    });
  });

describe("Service", () => {
  let plan: Plan;
  let container: any;
  beforeAll(async () => {
    plan = await render({ singleConsumer: true });
    [container] = parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions");
  });

  it("owns its task definition, roles, log group, service and CPU scaling, and no task policy it was not given", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:containers:Service": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 2,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      [SERVICE]: 1,
      "aws:appautoscaling/target:Target": 1,
      [POLICY]: 1,
    });
  });

  it("runs tasks privately with no public IP and no exec into them", () => {
    expect(one(plan, SERVICE).inputs).toMatchObject({
      networkConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-app"], assignPublicIp: false },
      enableExecuteCommand: false,
    });
  });

  it("runs the container read-only and unprivileged, writable only where asked, the secret pinned to its version", () => {
    expect(container).toMatchObject({ readonlyRootFilesystem: true, privileged: false, linuxParameters: { initProcessEnabled: true } });
    expect(container.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
    expect(container.secrets).toEqual([{ name: "BOT_TOKEN", valueFrom: `${TOKEN_ARN}:::v7` }]);
    expect(container.environment).toEqual([{ name: "APP_ENV", value: "test" }]);
  });

  it("never runs two copies of a single consumer: the old task stops before the new one starts", () => {
    expect(one(plan, SERVICE).inputs).toMatchObject({
      deploymentMinimumHealthyPercent: 0,
      deploymentMaximumPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
  });

  it("rolls a load-balanced service without downtime, scaling on requests too, and rolls back on its alarms", async () => {
    const api = await render({
      minCount: 2,
      maxCount: 4,
      deploymentAlarmNames: ["api-5xx"],
      loadBalancer: {
        targetGroupArn: "arn:tg",
        containerPort: 8000,
        healthCheckGracePeriodSeconds: 60,
        requestCountResourceLabel: "app/x/tg/y",
        requestsPerTarget: 500,
      },
    });
    expect(one(api, SERVICE).inputs).toMatchObject({
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      alarms: { alarmNames: ["api-5xx"], enable: true, rollback: true },
      loadBalancers: [{ targetGroupArn: "arn:tg", containerName: "bot", containerPort: 8000 }],
    });
    expect(one(api, POLICY, "bot-requests").inputs.targetTrackingScalingPolicyConfiguration).toMatchObject({
      targetValue: 500,
      predefinedMetricSpecification: { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: "app/x/tg/y" },
    });
  });
});
