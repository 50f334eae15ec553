/**
 * The preflight's quota awareness for preview stacks, and `npm run preview-stack -- up` running it
 * first, against moto's real server on loopback (freeAccount.ts): what the open previews use is
 * counted, and a preview that would not fit is refused before any stack is touched.
 */
import { CreateVpcCommand, DeleteVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { PreviewBackend } from "../../tools/preview-stack/automation";
import { run as runPreviewStack } from "../../tools/preview-stack/cli";
import { planFor } from "../support/plan";
import { aws, check, lines, ROOT, stackFileWith, useFreeAccount } from "./freeAccount";

jest.setTimeout(180_000);
useFreeAccount();

describe("quota awareness for preview stacks", () => {
  // A preview that builds its own network (sharedInfraStack ""): the shape whose VPCs, Elastic IPs
  // and NAT gateways are what the account runs out of. The preview tier on staging's network takes
  // a target group and a listener rule on staging's load balancer instead, counted the same way.
  let preview: Awaited<ReturnType<typeof planFor>>;
  beforeAll(async () => {
    preview = await planFor("pr-9", { configFile: stackFileWith("Pulumi.preview.yaml", { sharedInfraStack: "", previewDomain: "" }) });
  });
  async function vpcsTagged(stacks: string[]): Promise<string[]> {
    const ec2 = aws(EC2Client);
    const ids: string[] = [];
    for (const [i, stack] of stacks.entries()) {
      ids.push(
        (
          await ec2.send(
            new CreateVpcCommand({ CidrBlock: `10.${150 + i}.0.0/16`, TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "stack", Value: stack }] }] }),
          )
        ).Vpc!.VpcId!,
      );
    }
    return ids;
  }
  const removeVpcs = async (ids: string[]) => {
    for (const v of ids) await aws(EC2Client).send(new DeleteVpcCommand({ VpcId: v }));
  };

  it("counts what the open previews use and refuses the one that would not fit, naming them", async () => {
    const ids = await vpcsTagged(["pr-1", "pr-2", "pr-3", "pr-12"]);
    try {
      expect(lines(await check("pr-9", { rendered: preview }))).toEqual([
        'network-vpc: quota "VPCs per Region" (vpc L-F678F1CE): 5 of 5 in use in eu-central-1 (4 by 4 open previews: pr-1, pr-2, pr-3, pr-12), stack pr-9 needs 1 more: ' +
          "the next would not fit; fix: destroy a finished preview (npm run preview-stack -- destroy <pr-number>), or raise the quota: " +
          "aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-central-1",
      ]);
    } finally {
      await removeVpcs(ids);
    }
  });

  it("lets a preview through that fits, and says how many more would", async () => {
    const ids = await vpcsTagged(["pr-1", "pr-2"]);
    try {
      const r = await check("pr-9", { rendered: preview });
      expect(lines(r)).toEqual([]);
      // default VPC + 2 previews + this one = 4 of 5: one more fits.
      expect(r.room.find((q) => q.quota === "VPCs per Region in eu-central-1")).toEqual({ quota: "VPCs per Region in eu-central-1", more: 1 });
    } finally {
      await removeVpcs(ids);
    }
  });

  it("does not count a stack's own resources twice when it is already deployed", async () => {
    const ids = await vpcsTagged(["pr-1", "pr-2", "pr-3", "pr-9"]);
    try {
      expect(lines(await check("pr-9", { rendered: preview }))).toEqual([]);
    } finally {
      await removeVpcs(ids);
    }
  });
});

describe("npm run preview-stack -- up runs the preflight before anything else", () => {
  it("goes on to the Pulumi calls when the preflight passes, and skips it only when told", async () => {
    const calls: string[] = [];
    const deps = (verdict: boolean) => ({
      workDir: ROOT,
      now: () => new Date("2026-12-01T00:00:00Z"),
      out: () => undefined,
      err: () => undefined,
      preflight: async (stack: string) => {
        calls.push(`preflight ${stack}`);
        return verdict;
      },
      connect: async () => {
        calls.push("connect");
        // Any stack operation after connecting is recorded and ends the run.
        return new Proxy(
          {},
          {
            get: (_, op) =>
              op === "then"
                ? undefined
                : async () => {
                    calls.push(String(op));
                    throw new Error("stop here");
                  },
          },
        ) as PreviewBackend;
      },
    });
    expect(await runPreviewStack(["up", "9"], deps(false))).toBe(1);
    expect(calls).toEqual(["connect", "preflight pr-9"]);
    calls.length = 0;
    await runPreviewStack(["up", "9"], deps(true));
    expect(calls).toEqual(["connect", "preflight pr-9", "readOutputs"]);
    calls.length = 0;
    await runPreviewStack(["up", "9", "--skip-preflight"], deps(false));
    expect(calls).toEqual(["connect", "readOutputs"]);
  });
});
