/** The images component alone: hardened ECR repositories for the job images, a content-tagged build of what config builds, and a digest reference per image. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one, parseJsonInput } from "../../support/plan";
import { SECRET } from "../../../tools/plan/types";
import type { Plan } from "../../../tools/plan/types";

const REPO = "aws:ecr/repository:Repository";
const IMAGE = "docker:index/image:Image";
const KEY = "aws:kms/key:Key";
const REGISTRY = "123456789012.dkr.ecr.eu-central-1.amazonaws.com";
const TELEGRAM_DIGEST = "sha256:" + "1".repeat(64);
const DISCORD_URI = `${REGISTRY}/elsewhere-discord-bot@sha256:${"2".repeat(64)}`;
const DB_INIT_URI = `ghcr.io/example/db-init@sha256:${"3".repeat(64)}`;
const bootstrapRepo = (suffix: string) => ({
  url: `${REGISTRY}/chatbot-bootstrap-${suffix}`,
  arn: `arn:aws:ecr:eu-central-1:123456789012:repository/chatbot-bootstrap-${suffix}`,
});

interface Captured {
  refs: Record<string, string>;
  pulls: Record<string, string | undefined>;
  released: Record<string, boolean>;
}

let context: string;
const render = (protect: boolean, backupJob = `build:${context}`) => {
  const captured = {} as Captured;
  return renderComponent(() => {
    const pulumi = load<typeof import("@pulumi/pulumi")>("node_modules/@pulumi/pulumi");
    const { Images } = load<typeof import("../../../components/images/images")>("components/images/images");
    const images = new Images("images", {
      namePrefix: "chatbot-test",
      sources: { api: "", telegramBot: TELEGRAM_DIGEST, discordBot: DISCORD_URI, backupJob, dbInit: DB_INIT_URI },
      appRepositories: { api: bootstrapRepo("api"), telegramBot: bootstrapRepo("telegram-bot"), discordBot: bootstrapRepo("discord-bot") },
      buildArgs: { backupJob: { PG_MAJOR: "16" } },
      keepImages: 5,
      protect,
    });
    captured.released = images.released;
    pulumi.all([pulumi.all(images.imageRefs), pulumi.all(images.pullRepositoryArns)]).apply(([refs, pulls]) => {
      captured.refs = refs;
      captured.pulls = pulls;
    });
  }).then((plan) => ({ plan, captured }));
};

describe("Images", () => {
  let plan: Plan;
  let captured: Captured;
  beforeAll(async () => {
    context = fs.mkdtempSync(path.join(os.tmpdir(), "images-context-"));
    fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCOPY job.sh /\n");
    fs.writeFileSync(path.join(context, "job.sh"), "echo one\n");
    ({ plan, captured } = await render(true));
  });
  afterAll(() => fs.rmSync(context, { recursive: true, force: true }));

  it("owns a key, a repository and a lifecycle policy per job image, and a build of the one image config builds", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:images:Images": 1,
      [KEY]: 1,
      "aws:kms/alias:Alias": 1,
      [REPO]: 2,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 2,
      [IMAGE]: 1,
    });
    // The app images' repositories are the bootstrap stack's.
    expect(ofType(plan, REPO).map((r) => r.inputs.name)).toEqual(["chatbot-test-backup-job", "chatbot-test-db-init"]);
    expect(one(plan, "aws:kms/alias:Alias").inputs.name).toBe("alias/chatbot-test-images");
  });

  it("makes each repository's tags immutable, scans on push and encrypts with its own rotating key", () => {
    const keyArn = `arn:aws:kms:eu-central-1:123456789012:${one(plan, KEY).name}`;
    expect(one(plan, KEY).inputs.enableKeyRotation).toBe(true);
    for (const repo of ofType(plan, REPO)) {
      expect(repo.inputs).toMatchObject({
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: keyArn }],
      });
    }
  });

  it("expires all but the last keepImages images of each repository", () => {
    for (const policy of ofType(plan, "aws:ecr/lifecyclePolicy:LifecyclePolicy")) {
      expect(parseJsonInput(policy, "policy").rules).toEqual([
        {
          rulePriority: 1,
          description: "Keep the last 5 images",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 5 },
          action: { type: "expire" },
        },
      ]);
    }
  });

  it("builds for linux/amd64 with its build args, pushes a content tag with a secret password, and never on preview", () => {
    const image = one(plan, IMAGE, "images-backup-job");
    expect(image.inputs.build).toEqual({ context, dockerfile: path.posix.join(context, "Dockerfile"), platform: "linux/amd64", args: { PG_MAJOR: "16" } });
    expect(image.inputs.imageName).toMatch(new RegExp(`^${REGISTRY}/chatbot-test-backup-job:src-[0-9a-f]{32}$`));
    expect(image.inputs.registry).toEqual({ server: `${REGISTRY}/chatbot-test-backup-job`, username: "AWS", password: SECRET });
    expect(image.inputs.buildOnPreview).toBe(false);
  });

  it("refers to every image by digest, in the repository it is pulled from; an unreleased one by a tag that is never pulled", () => {
    expect(captured.released).toEqual({ api: false, telegramBot: true, discordBot: true, backupJob: true, dbInit: true });
    expect(captured.refs).toEqual({
      api: `${REGISTRY}/chatbot-bootstrap-api:unreleased`,
      telegramBot: `${REGISTRY}/chatbot-bootstrap-telegram-bot@${TELEGRAM_DIGEST}`,
      discordBot: DISCORD_URI,
      backupJob: expect.stringMatching(new RegExp(`^${REGISTRY}/chatbot-test-backup-job@sha256:[0-9a-f]{64}$`)),
      dbInit: DB_INIT_URI,
    });
    expect(captured.pulls).toEqual({
      api: bootstrapRepo("api").arn,
      telegramBot: bootstrapRepo("telegram-bot").arn,
      discordBot: "arn:aws:ecr:eu-central-1:123456789012:repository/elsewhere-discord-bot",
      backupJob: "arn:aws:ecr:eu-central-1:123456789012:repository/chatbot-test-backup-job",
      // Outside ECR: the execution role needs no pull permission.
      dbInit: undefined,
    });
  });

  it("retains its key and keeps repositories holding images when protected; unprotected, force-deletes them; the tag follows the content only", async () => {
    expect(one(plan, KEY).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(ofType(plan, REPO).map((r) => r.inputs.forceDelete)).toEqual([false, false]);
    const tag = one(plan, IMAGE).inputs.imageName;

    const throwaway = (await render(false)).plan;
    expect(one(throwaway, KEY).options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(ofType(throwaway, REPO).map((r) => r.inputs.forceDelete)).toEqual([true, true]);
    expect(one(throwaway, IMAGE).inputs.imageName).toBe(tag);

    fs.writeFileSync(path.join(context, "job.sh"), "echo two\n");
    const changed = (await render(true)).plan;
    expect(one(changed, IMAGE).inputs.imageName).not.toBe(tag);
  });

  it("refuses a build context that is not a directory, naming it", async () => {
    await expect(render(true, "build:no/such/context")).rejects.toThrow('images: build context "no/such/context" is not a directory');
  });
});
