/**
 * `npm run preflight` against moto's real server on loopback (not a mocked SDK): a free account
 * passes, and each check fails on its own obstacle with one line naming the resource, the
 * argument or quota, the problem and the fix. Each obstacle is removed again after its test, so
 * the account stays "free" for the next; the stacks are rendered once per config (freeAccount.ts).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { ACMClient, DeleteCertificateCommand, ListCertificatesCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
  ReleaseAddressCommand,
} from "@aws-sdk/client-ec2";
import { DeleteAliasCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateDBInstanceCommand, DeleteDBInstanceCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, PutBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { main } from "../../tools/preflight/cli";
import { account, aws, check, issuedCertificate, lines, REGION, ROOT, secretsProviderAlias, toolsDir, useFreeAccount } from "./freeAccount";

jest.setTimeout(180_000);
useFreeAccount();

describe("a free account", () => {
  it("passes staging through the CLI, with exit 0, and creates nothing", async () => {
    // As a user runs it: its own process, so the render is the CLI's and not jest's module registry.
    const run = spawnSync(
      process.execPath,
      [require.resolve("tsx/cli"), path.join(ROOT, "tools/preflight/cli.ts"), "staging", "--config", account.stagingFile],
      { encoding: "utf8", env: { ...process.env, ...account.env, NODE_NO_WARNINGS: "1" } },
    );
    const out = run.stdout.trim().split("\n");
    expect(run.stderr).toBe("");
    expect(out.filter((l) => !l.startsWith("note:"))).toEqual([
      expect.stringMatching(/^room: \d+ more stacks like staging fit after it \(tightest: .+\)$/),
      "preflight of staging (account 123456789012, eu-central-1): ok",
    ]);
    expect(run.status).toBe(0);
    expect((await aws(S3Client).send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect((await aws(EC2Client).send(new DescribeVpcsCommand({}))).Vpcs).toHaveLength(1); // moto's default VPC
  });

  it("says which quota value it assumed instead of passing it silently", async () => {
    // moto answers neither Service Quotas nor RDS's account attributes for DB instances.
    const r = await check();
    expect(r.notes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^quota "DB instances" \(rds L-7B6409FD\): Service Quotas did not answer .*; assumed AWS's default 40$/)]),
    );
    expect(r.notes.filter((n) => n.includes("not checked"))).toEqual([]);
  });
});

describe("each check fails on its own obstacle, naming resource, argument, problem and fix", () => {
  // The backup bucket's name from the plan: it carries the account id and region.
  let BACKUPS: string;
  beforeAll(() => {
    BACKUPS = account.staging.plan.resources.find((r) => r.name === "backup-bucket-bucket")!.inputs.bucket as string;
  });
  it("a bucket name another account holds", async () => {
    const other = await aws(STSClient).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/other", RoleSessionName: "t" }));
    const s3 = aws(S3Client, {
      credentials: {
        accessKeyId: other.Credentials!.AccessKeyId!,
        secretAccessKey: other.Credentials!.SecretAccessKey!,
        sessionToken: other.Credentials!.SessionToken,
      },
    });
    await s3.send(new CreateBucketCommand({ Bucket: BACKUPS, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    try {
      expect(lines(await check())).toEqual([
        `backup-bucket-bucket: bucket "${BACKUPS}": is taken by another AWS account (bucket names are global); fix: choose a name with this account's id in it`,
      ]);
    } finally {
      await s3.send(new DeleteBucketCommand({ Bucket: BACKUPS }));
    }
  });

  it("a bucket of this account that another stack owns, but not one of this stack's own", async () => {
    const s3 = aws(S3Client);
    await s3.send(new CreateBucketCommand({ Bucket: BACKUPS, CreateBucketConfiguration: { LocationConstraint: REGION } }));
    try {
      await s3.send(new PutBucketTaggingCommand({ Bucket: BACKUPS, Tagging: { TagSet: [{ Key: "stack", Value: "prod" }] } }));
      expect(lines(await check())).toEqual([
        expect.stringMatching(
          new RegExp(`^backup-bucket-bucket: bucket "${BACKUPS}": already exists in this account and belongs to stack prod, so the create would fail; fix: `),
        ),
      ]);
      await s3.send(new PutBucketTaggingCommand({ Bucket: BACKUPS, Tagging: { TagSet: [{ Key: "stack", Value: "staging" }] } }));
      expect(lines(await check())).toEqual([]);
    } finally {
      await s3.send(new DeleteBucketCommand({ Bucket: BACKUPS }));
    }
  });

  it("a missing secrets-provider alias, and an alias the stack creates that exists for another stack", async () => {
    const kms = aws(KMSClient);
    await kms.send(new DeleteAliasCommand({ AliasName: "alias/chatbot-staging-pulumi-secrets" }));
    await secretsProviderAlias("alias/chatbot-staging-backup", "prod");
    try {
      expect(lines(await check())).toEqual([
        expect.stringMatching(
          /^backup-bucket-key: name "alias\/chatbot-staging-backup": already exists in eu-central-1 for stack prod, so the create would fail; fix: /,
        ),
        "Pulumi.staging.yaml: secretsprovider alias/chatbot-staging-pulumi-secrets: KMS alias does not exist in eu-central-1: Pulumi cannot decrypt this stack's secrets; " +
          "fix: deploy the bootstrap stack of this account (it creates the secrets-provider keys), or create the key and alias",
      ]);
    } finally {
      await kms.send(new DeleteAliasCommand({ AliasName: "alias/chatbot-staging-backup" }));
      await secretsProviderAlias("alias/chatbot-staging-pulumi-secrets", "staging");
    }
  });

  it("a certificate still pending validation, and none for the domain", async () => {
    const domain = "staging.chatbot.example.com";
    const acm = aws(ACMClient);
    const forDomain = async () => ((await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList ?? []).filter((c) => c.DomainName === domain);
    for (const c of await forDomain()) await acm.send(new DeleteCertificateCommand({ CertificateArn: c.CertificateArn }));
    try {
      const pending = await acm.send(new RequestCertificateCommand({ DomainName: domain, ValidationMethod: "DNS" }));
      expect(lines(await check())).toEqual([
        `api-https: certificate for ${domain} (${pending.CertificateArn}): status is PENDING_VALIDATION, not ISSUED: the HTTPS listener cannot use it; ` +
          "fix: create its DNS validation records (aws acm describe-certificate shows them) and wait for ISSUED",
      ]);
      await acm.send(new DeleteCertificateCommand({ CertificateArn: pending.CertificateArn }));
      expect(lines(await check())).toEqual([
        `api-https: certificate for ${domain}: none in eu-central-1; fix: deploy the bootstrap stack (bootstrap/: it requests the certificate and validates it in the domain's zone)`,
      ]);
    } finally {
      for (const c of await forDomain()) await acm.send(new DeleteCertificateCommand({ CertificateArn: c.CertificateArn }));
      await issuedCertificate(domain);
    }
  });

  it("VPC, Elastic IP and NAT gateway quotas that the stack would exceed, with the command that raises each", async () => {
    const ec2 = aws(EC2Client);
    const vpcs: string[] = [];
    for (let i = 0; i < 4; i++) vpcs.push((await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${100 + i}.0.0/16` }))).Vpc!.VpcId!);
    const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcs[0], CidrBlock: "10.100.0.0/24", AvailabilityZone: `${REGION}a` }))).Subnet!.SubnetId!;
    const eips: string[] = [];
    for (let i = 0; i < 5; i++) eips.push((await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }))).AllocationId!);
    const nats: string[] = [];
    for (let i = 0; i < 5; i++) nats.push((await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnet, AllocationId: eips[i] }))).NatGateway!.NatGatewayId!);
    try {
      const found = lines(await check());
      expect(found).toEqual([
        expect.stringMatching(
          /^network-vpc: quota "VPCs per Region" \(vpc L-F678F1CE\): 5 of 5 in use in eu-central-1, stack staging needs 1 more: the next would not fit; fix: delete unused VPCs, or raise the quota: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-central-1$/,
        ),
        expect.stringMatching(
          /^network-nat-0: quota "NAT gateways per Availability Zone" \(vpc L-FE5A380F\): 5 of 5 in use in eu-central-1a, stack staging needs 1 more/,
        ),
        expect.stringMatching(
          /^network-nat-0: quota "EC2-VPC Elastic IPs" \(ec2 L-0263D0A3\): 5 of 5 in use in eu-central-1, stack staging needs 1 more.*--service-code ec2 --quota-code L-0263D0A3 --desired-value 6/,
        ),
      ]);
    } finally {
      for (const n of nats) await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: n }));
      for (const a of eips) await ec2.send(new ReleaseAddressCommand({ AllocationId: a }));
      await ec2.send(new DeleteSubnetCommand({ SubnetId: subnet }));
      for (const v of vpcs) await ec2.send(new DeleteVpcCommand({ VpcId: v }));
    }
  });

  it("the DB instance quota, counting instances of every stack and engine in the region", async () => {
    const rds = aws(RDSClient);
    const ids = Array.from({ length: 40 }, (_, i) => `other-${i}`);
    for (const [i, id] of ids.entries()) {
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: id,
          Engine: i % 2 ? "postgres" : "mysql",
          DBInstanceClass: "db.t4g.micro",
          AllocatedStorage: 20,
          MasterUsername: "admin",
          MasterUserPassword: "password-123456",
          Tags: i < 3 ? [{ Key: "stack", Value: `pr-${i}` }] : [],
        }),
      );
    }
    try {
      expect(lines(await check())).toEqual([
        expect.stringMatching(
          /^[\w-]+: quota "DB instances" \(rds L-7B6409FD\): 40 of 40 in use in eu-central-1.*, stack staging needs 1 more: the next would not fit; fix: .*--service-code rds --quota-code L-7B6409FD --desired-value 41/,
        ),
      ]);
    } finally {
      for (const id of ids) await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: id, SkipFinalSnapshot: true }));
    }
  });

  it("Docker missing from PATH, naming the resources that build with it", async () => {
    // db-init's runner is TypeScript on the AWS SDK (tools/run-task): no AWS CLI is needed any more.
    const r = await check("staging", { env: { ...account.env, PATH: toolsDir([]) } });
    expect(lines(r)).toEqual([expect.stringMatching(/^images-backup-job, images-db-init: the docker executable: is not on PATH.*; fix: install Docker/)]);
  });

  it("no usable credentials: one line, and no account check runs", async () => {
    const r = await check("staging", { env: { ...account.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9" } });
    expect(lines(r)).toEqual([
      expect.stringMatching(
        /^AWS credentials: sts:GetCallerIdentity: no usable credentials \(.+\); the account checks were not run; fix: configure credentials/,
      ),
    ]);
  });
});

describe("usage", () => {
  it("--help exits 0 with the usage; an unknown stack exits 2 naming the nearest", async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    expect(await main(["--help"], io, account.env)).toBe(0);
    expect(out.join("\n")).toMatch(/^usage: npm run preflight -- <stack>/);
    out.length = 0;
    expect(await main(["stagin"], io, account.env)).toBe(2);
    expect(out.join("\n").split("\n")[0]).toBe('preflight: unknown stack "stagin"; did you mean "staging"?');
  });
});
