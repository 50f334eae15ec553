/**
 * Staging through the real engine: the first `pulumi up` from an empty backend with the policy
 * pack, the resources it created against the offline plan's, then no drift, then an image-only
 * release that touches only what it must.
 */
import { policyPackArgs } from "../../tools/engine/policy";
import type { EngineWorkspace } from "../../tools/engine/workspace";
import { changes, deployedResources, disagreements, ENGINE_TIMEOUT, openWorkspace, outcome, planResources } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

let ws: EngineWorkspace;
beforeAll(async () => {
  ws = await openWorkspace();
  await ws.initStack("staging");
});
afterAll(() => ws?.dispose());

describe("staging through the Pulumi engine", () => {
  it("deploys from an empty backend with the policy pack, and creates exactly the plan's resources", async () => {
    const up = await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging", ...policyPackArgs("staging")]);
    expect(outcome(up)).toEqual({ status: 0 });
    expect(disagreements(await deployedResources(ws, "staging"), await planResources("staging"))).toEqual([]);
  });

  it("finds nothing to change after a refresh", async () => {
    const res = await ws.pulumi(["preview", "--refresh", "--expect-no-changes", "--stack", "staging"]);
    expect(outcome(res)).toEqual({ status: 0 });
  });

  it("rolls out a new API image by replacing the API's task definition and updating its service, nothing else", async () => {
    const image = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/chatbot-staging-api@sha256:" + "e".repeat(64);
    await ws.must(["config", "set", "--stack", "staging", "chatbot:apiImage", image]);
    const res = await ws.pulumi(["preview", "--json", "--stack", "staging"]);
    expect(outcome(res)).toEqual({ status: 0 });
    expect(changes(res)).toEqual(["replace api-task", "update api-service"]);
  });
});
