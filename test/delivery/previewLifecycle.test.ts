/**
 * `npm run preview-stack -- up` of the preview tier (issue 20) with a fake backend: the PR comment,
 * the refusals before any change (not the preview tier, staging not deployed), and the clean-up
 * of a stack whose creation failed.
 */
import * as fs from "fs";
import * as path from "path";
import { run } from "../../tools/preview-stack/cli";
import { files, setup } from "./support/fakePreviewBackend";

describe("preview-stack up of the preview tier", () => {
  it("up writes the PR comment: URL, time-to-live, cost per day and time against the budget, what it borrows, the plan", async () => {
    const t = setup(files);
    const githubOutput = path.join(t.dir, "github-output");
    expect(await run(["up", "5", "--ttl", "24"], { ...t.deps, githubOutput })).toBe(0);
    const out = Object.fromEntries(
      fs
        .readFileSync(githubOutput, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    expect(out).toMatchObject({ stack: "pr-5", "api-url": "https://pr.example.com" });
    const comment = fs.readFileSync(out["comment-file"], "utf8");
    expect(comment).toContain("- **URL:** https://pr.example.com\n");
    expect(comment).toContain("- **Time-to-live:** 24 h after the last push: destroyed by the sweeper after 2026-03-11T12:00:00.000Z,");
    expect(comment).toContain("- **Estimated cost:** $0.73/day ($22.19/month), within the previews' $2/day.\n");
    expect(comment).toContain("- **Estimated time to create:** 6 min 40 s, within the previews' 8 min.\n");
    expect(comment).toContain("- **Offline plan:** 93 resources: containers:Service api (12), data:TenantDatabase postgres (6).\n");
    expect(comment).toMatch(/- \*\*Borrowed from `staging`\*\* \(not paid by this stack\): VPC, subnets, NAT gateway/);
    expect(comment).toContain("```\nPlan of chatbot/pr-5: 93 resources\n```");
  });

  it("refuses a template that is not of the preview tier, in one line, before any change", async () => {
    const t = setup({ ...files, "Pulumi.preview.yaml": "config:\n  chatbot:tier: staging\n" });
    expect(await run(["up", "5"], t.deps)).toBe(1);
    expect(t.output().err.trim().split("\n").pop()).toBe(
      'preview-stack: Pulumi.preview.yaml is of tier "staging", not "preview": a pr-5 stack is only made from the preview tier; set chatbot:tier: preview there',
    );
    expect(t.calls.filter((c) => c[0] === "up")).toEqual([]);
  });

  it("refuses a preview whose staging is not deployed (outputs missing, or no stack), in one line, before any change", async () => {
    const t = setup(files);
    t.lenderOutputs.value = { vpcId: "vpc-1" };
    expect(await run(["up", "5"], t.deps)).toBe(1);
    expect(t.output().err).toMatch(
      /^preview-stack: preview tier: stack staging exports no privateSubnetIds, publicSubnetIds, .*albHttpsListenerArn, albArnSuffix, wafLogGroupName, so pr-5 cannot borrow its infrastructure: deploy staging first \(pulumi up --stack staging\), or set sharedInfraStack to "" to build everything\n$/m,
    );
    t.lenderOutputs.value = null;
    expect(await run(["up", "5"], t.deps)).toBe(1);
    expect(t.output().err).toMatch(
      /preview-stack: preview tier: stack staging does not exist, so pr-5 cannot borrow its infrastructure: deploy staging first \(pulumi up --stack staging\)\n$/,
    );
    expect(t.calls.filter((c) => c[0] === "up")).toEqual([]);
  });

  it("destroys a stack whose creation failed; keeps one whose update failed", async () => {
    const t = setup(files);
    t.failUp.value = Object.assign(new Error("code: 255\n stdout: Updating (pr-5)\n stderr: error: update failed: listener rule limit reached"), {});
    expect(await run(["up", "5"], t.deps)).toBe(1);
    expect(t.calls.filter((c) => c[0] === "destroy")).toEqual([["destroy", "pr-5"]]);
    expect(t.state["pr-5"]).toBeUndefined();
    expect(t.output().err).toContain(
      "preview-stack: pr-5: creation failed and the half-built stack was destroyed: error: update failed: listener rule limit reached\n",
    );

    t.failUp.value = undefined;
    expect(await run(["up", "6"], t.deps)).toBe(0);
    t.failUp.value = new Error("error: update failed");
    t.calls.length = 0;
    expect(await run(["up", "6"], t.deps)).toBe(1);
    expect(t.calls.filter((c) => c[0] === "destroy")).toEqual([]);
    expect(t.state["pr-6"]).toBeDefined();
  });
});
