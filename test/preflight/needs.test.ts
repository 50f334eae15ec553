/**
 * What the preflight reads from a plan: the real staging and prod plans (so it follows the
 * program), and the certificate name matching ACM applies.
 */
import { covers } from "../../tools/preflight/certificate";
import { needsOf } from "../../tools/preflight/needs";
import { ofType, planFor } from "../support/plan";

describe("needs read from the offline plan", () => {
  it("staging: its buckets, aliases, certificate, tools, and NAT gateways per AZ, from the plan's own resources", async () => {
    const { plan } = await planFor("staging");
    const n = needsOf(plan);
    expect(n.region).toBe("eu-central-1");
    expect(n.buckets.map((b) => b.bucket).sort()).toEqual(
      ofType(plan, "aws:s3/bucket:Bucket")
        .map((r) => r.inputs.bucket)
        .sort(),
    );
    expect(n.kmsAliases).toHaveLength(ofType(plan, "aws:kms/alias:Alias").length);
    expect(n.certificates).toEqual([
      { resource: "api-https", arn: ofType(plan, "aws:lb/listener:Listener").find((l) => l.name === "api-https")!.inputs.certificateArn },
    ]);
    // db-init's runner is TypeScript on the AWS SDK (tools/run-task): only the image builds need a tool.
    expect([...new Set(n.tools.map((t) => t.tool))].sort()).toEqual(["docker"]);
    expect(n.natPerAz).toEqual({ "eu-central-1a": 1 });
    expect(n.counts["aws:ec2/vpc:Vpc"]).toBe(1);
    // Every service runs on the cluster the plan creates: no existing cluster's quota is involved.
    expect(Object.keys(n.servicesPerCluster)).toEqual([expect.stringMatching(/^new:/)]);
  });

  it("prod: one NAT gateway per AZ, as its config says", async () => {
    const { plan } = await planFor("prod");
    const n = needsOf(plan);
    const azs = ofType(plan, "aws:ec2/natGateway:NatGateway").length;
    expect(azs).toBeGreaterThan(1);
    expect(Object.values(n.natPerAz)).toEqual(Array(azs).fill(1));
    // The backup replica's provider is in a second region; the stack's region is its own.
    expect(n.region).toBe("eu-central-1");
  });
});

describe("certificate names", () => {
  it("matches exact names and one-label wildcards, as ACM does", () => {
    expect(covers(["api.example.com"], "API.example.com")).toBe(true);
    expect(covers(["*.example.com"], "api.example.com")).toBe(true);
    expect(covers(["*.example.com"], "a.b.example.com")).toBe(false);
    expect(covers(["*.example.com"], "example.com")).toBe(false);
    expect(covers(["example.com", "www.example.com"], "api.example.com")).toBe(false);
  });
});
