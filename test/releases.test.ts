/**
 * What a release touches: staging rendered as committed, and again with only apiImage's digest
 * changed. Everything but the API's task definition and service must stay as it is.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planFor } from "./support/plan";
import { changedUrns } from "./support/changes";
import type { Plan } from "../tools/plan/types";

const STACK_FILE = path.join(__dirname, "..", "Pulumi.staging.yaml");
/** Types that hold data or guard it: a release must never touch one. */
const STATEFUL = /^aws:(rds|elasticache|efs|s3|kms|secretsmanager|dynamodb|backup|ecr\/repository)\//;

describe("a release of the API image on staging", () => {
  let dir: string;
  let before: Plan;
  let after: Plan;
  let unchangedRerender: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
    // The committed staging has no API release yet (first deploy): release one digest, then the next.
    const original = fs.readFileSync(STACK_FILE, "utf8");
    if (!/^ {2}chatbot:apiImage: .*$/m.test(original)) throw new Error("Pulumi.staging.yaml writes out no chatbot:apiImage");
    const released = (digest: string) => {
      const file = path.join(fs.mkdtempSync(path.join(dir, "cfg-")), "Pulumi.staging.yaml");
      fs.writeFileSync(file, original.replace(/^ {2}chatbot:apiImage: .*$/m, `  chatbot:apiImage: sha256:${digest.repeat(64)}`));
      return file;
    };
    const first = released("a");
    const second = released("b");
    // Files of the repository are build contexts: if one changes while rendering (someone is
    // editing), the plans differ for that reason; render again until the tree held still.
    for (let attempt = 0; attempt < 3; attempt++) {
      before = (await planFor("staging", { configFile: first })).plan;
      after = (await planFor("staging", { configFile: second })).plan;
      unchangedRerender = changedUrns(before, (await planFor("staging", { configFile: first })).plan);
      if (unchangedRerender.length === 0) break;
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("re-rendering unchanged config changes 0 resources", () => {
    expect(unchangedRerender).toEqual([]);
  });

  it("changing only apiImage's digest changes 2 resources: the API task definition and the API service", () => {
    const changed = changedUrns(before, after);
    const describe = changed.map((urn) => `${urn.split("::")[2]}::${urn.split("::")[3]}`);
    expect({ count: changed.length, changed: describe }).toEqual({
      count: 2,
      changed: [
        "chatbot:containers:Service$aws:ecs/service:Service::api-service",
        "chatbot:containers:Service$aws:ecs/taskDefinition:TaskDefinition::api-task",
      ],
    });
    const task = after.resources.find((r) => r.urn === changed.find((u) => u.endsWith("::api-task")))!;
    expect(String(task.inputs.containerDefinitions)).toContain("@sha256:");
  });

  it("touches nothing stateful or protected", () => {
    const touched = changedUrns(before, after).map((urn) => after.resources.find((r) => r.urn === urn)!);
    for (const r of touched) {
      expect(r.type).not.toMatch(STATEFUL);
      expect(r.options.protect).toBe(false);
    }
  });
});
