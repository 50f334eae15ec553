/**
 * S3 bucket names (issue 15 item 4): every bucket of every stack carries the account id and the
 * region, fits S3's rules, and the offline provider's Check refuses a name S3 would refuse,
 * naming the argument and the rule.
 */
import { checkConstraints } from "../tools/engine/plugins/constraints";
import { ofType, planFor } from "./support/plan";

const BUCKET = "aws:s3/bucket:Bucket";

describe("S3 bucket names in Check", () => {
  it.each([
    [{ bucket: "Chatbot_Backups" }, "bucket", /may contain only lowercase letters, digits, dots and hyphens/],
    [{ bucket: "chatbot-" + "x".repeat(60) }, "bucket", /is 68 characters; 3 to 63 are allowed/],
    [{ bucket: "ab" }, "bucket", /is 2 characters/],
    [{ bucket: "chatbot..backups" }, "bucket", /two adjacent dots/],
    [{ bucket: "192.168.5.4" }, "bucket", /formatted as an IP address/],
    [{ bucket: "xn--chatbot" }, "bucket", /prefix S3 reserves/],
    [{ bucket: "chatbot-backups-s3alias" }, "bucket", /suffix S3 reserves/],
    [{ bucket: "chatbot-backups-" }, "bucket", /starting and ending with a letter or digit/],
    [{ bucketPrefix: "chatbot-pr-12345-backups-123456789012-" }, "bucketPrefix", /at most 37 \(S3 appends 26\)/],
  ])("refuses %j, naming %s", (inputs, property, reason) => {
    const failures = checkConstraints(BUCKET, inputs);
    expect(failures.map((f) => f.property)).toContain(property);
    const f = failures.find((x) => x.property === property)!;
    expect(f.reason).toMatch(reason);
    expect(f.reason).toMatch(/Amazon S3 User Guide, general purpose bucket naming rules/);
  });

  it("lets a name with account and region, and unknown values, through", () => {
    expect(checkConstraints(BUCKET, { bucket: "chatbot-pr-12345-s3-access-logs-123456789012-ap-southeast-2" })).toEqual([]);
    expect(checkConstraints(BUCKET, { bucket: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).toEqual([]);
  });

  it.each(["staging", "prod"])("every bucket of %s carries the account id and region and passes Check", async (stack) => {
    const { plan } = await planFor(stack);
    const buckets = ofType(plan, BUCKET);
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    for (const b of buckets) {
      expect(checkConstraints(BUCKET, b.inputs)).toEqual([]);
      // The ALB's log bucket predates the region rule: one per stack and account, and renaming it would replace it.
      if (b.name !== "api-logs") expect(b.inputs.bucket).toMatch(/-123456789012-[a-z]{2}(-[a-z]+)+-\d$/);
      else expect(b.inputs.bucket).toMatch(/-123456789012$/);
    }
    // The longest a pr-<n> stack can make them still fits (pr numbers up to 6 digits).
    const longest = Math.max(
      ...buckets.map((b) => String(b.inputs.bucket).replace(`chatbot-${stack}`, "chatbot-pr-999999").replace("eu-central-1", "ap-southeast-2").length),
    );
    expect(longest).toBeLessThanOrEqual(63);
  });
});
