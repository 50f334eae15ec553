import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, APP_IMAGES, RepositoryRef } from "../../bootstrap/contract";
import { contextTag, ecrRepositoryArn, parseImageSource } from "../shared/buildContext";
import { kmsKey } from "../shared/kmsKey";

export const IMAGE_NAMES = ["api", "telegramBot", "discordBot", "backupJob", "dbInit"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/** ECR repository suffix of each image: `<namePrefix>-<suffix>`. */
export const REPOSITORY_SUFFIX: Record<ImageName, string> = {
  api: "api",
  telegramBot: "telegram-bot",
  discordBot: "discord-bot",
  backupJob: "backup-job",
  dbInit: "db-init",
};

/** Fargate tasks run on x86_64 (the task definitions say so); images are built for it on any build host. */
export const IMAGE_PLATFORM = "linux/amd64";

export interface ImagesArgs {
  /** `<project>-<stack>`; repositories are `<namePrefix>-api`, `-telegram-bot`, ... */
  namePrefix: string;
  /**
   * Per image, from config: `build:<context>[#<Dockerfile>]` (paths relative to the repository
   * root, where Pulumi runs the program) builds and pushes; an `...@sha256:` URI is used as is;
   * `sha256:<digest>` is that digest in the image's repository; empty: no release yet.
   */
  sources: Record<ImageName, string>;
  /**
   * The app images' repositories, owned by the bootstrap stack (so the app's CI can push before
   * the first deploy); the job images' repositories are this component's own.
   */
  appRepositories: pulumi.Input<Record<AppImage, RepositoryRef>>;
  /** Build args per built image (e.g. the backup job's PG_MAJOR); part of the content tag. */
  buildArgs?: Partial<Record<ImageName, Record<string, string>>>;
  /** Images each repository keeps; older ones expire (a running task's image must be among them). */
  keepImages: number;
  /**
   * Stateful-resource protection: the KMS key is `protect` + `retainOnDelete`, and repositories
   * still holding images refuse deletion. Off (preview stacks): repositories are force-deleted.
   */
  protect: boolean;
}

/**
 * The stack's container images: an ECR repository per job image (immutable tags, scan on push,
 * KMS-encrypted, expiring old images; the app images' repositories are the bootstrap stack's), and
 * a build + push of each image config says to build.
 * Everything downstream uses digests (`imageRefs`), so a release rolls out only what changed.
 */
export class Images extends pulumi.ComponentResource {
  /** `<repository>@sha256:<digest>` per image: what task definitions run. */
  readonly imageRefs: Record<ImageName, pulumi.Output<string>>;
  /** The ECR repository each image is pulled from (for execution roles), undefined if not ECR. */
  readonly pullRepositoryArns: Record<ImageName, pulumi.Output<string> | undefined>;
  readonly repositoryArns: Record<ImageName, pulumi.Output<string>>;
  readonly repositoryUrls: Record<ImageName, pulumi.Output<string>>;
  readonly kmsKeyArn: pulumi.Output<string>;
  /** false for an image with no release yet (empty source): its service runs no task until one is configured. */
  readonly released: Record<ImageName, boolean>;

  constructor(name: string, args: ImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:images:Images", name, {}, opts);
    const child = { parent: this };
    const key = kmsKey(
      `${name}-key`,
      { name: `${args.namePrefix}-images`, description: `ECR image encryption of ${args.namePrefix}` },
      { ...child, protect: args.protect, retainOnDelete: args.protect },
    );

    const refs = {} as Record<ImageName, pulumi.Output<string>>;
    const pulls = {} as Record<ImageName, pulumi.Output<string> | undefined>;
    const arns = {} as Record<ImageName, pulumi.Output<string>>;
    const urls = {} as Record<ImageName, pulumi.Output<string>>;
    const released = {} as Record<ImageName, boolean>;
    const bootstrapRepos = pulumi.output(args.appRepositories);
    for (const image of IMAGE_NAMES) {
      const source = parseImageSource(args.sources[image]);
      released[image] = args.sources[image] !== "";
      const repo = (APP_IMAGES as readonly string[]).includes(image)
        ? { url: bootstrapRepos.apply((r) => r[image as AppImage].url), arn: bootstrapRepos.apply((r) => r[image as AppImage].arn) }
        : this.repository(name, image, args, key.arn);
      arns[image] = repo.arn;
      urls[image] = repo.url;
      if (!released[image]) {
        // Never pulled: the service runs no task until a release is configured (services.ts).
        refs[image] = pulumi.interpolate`${repo.url}:unreleased`;
        pulls[image] = repo.arn;
        continue;
      }
      if (source.kind === "prebuilt" && /^sha256:[0-9a-f]{64}$/.test(source.uri)) {
        refs[image] = pulumi.interpolate`${repo.url}@${source.uri}`;
        pulls[image] = repo.arn;
        continue;
      }
      if (source.kind === "prebuilt") {
        refs[image] = pulumi.output(source.uri);
        const arn = ecrRepositoryArn(source.uri);
        pulls[image] = arn === undefined ? undefined : pulumi.output(arn);
        continue;
      }
      const buildArgs = args.buildArgs?.[image] ?? {};
      const { tag, missingDockerfile } = contextTag(source, IMAGE_PLATFORM, buildArgs);
      if (missingDockerfile) {
        pulumi.log.warn(`${image}: ${missingDockerfile} does not exist; the docker provider cannot build this image`, this);
      }
      const registryId = repo.url.apply((u) => u.split(".")[0]);
      const auth = aws.ecr.getAuthorizationTokenOutput({ registryId }, child);
      const built = new docker.Image(
        `${name}-${REPOSITORY_SUFFIX[image]}`,
        {
          imageName: pulumi.interpolate`${repo.url}:${tag}`,
          build: {
            context: source.context,
            dockerfile: source.dockerfile,
            platform: IMAGE_PLATFORM,
            ...(Object.keys(buildArgs).length ? { args: buildArgs } : {}),
          },
          registry: { server: repo.url, username: auth.userName, password: pulumi.secret(auth.password) },
          // A pull request's preview must not push: the image is built on `pulumi up` only.
          buildOnPreview: false,
        },
        child,
      );
      refs[image] = built.repoDigest;
      pulls[image] = repo.arn;
    }

    this.imageRefs = refs;
    this.pullRepositoryArns = pulls;
    this.repositoryArns = arns;
    this.repositoryUrls = urls;
    this.kmsKeyArn = key.arn;
    this.released = released;
    this.registerOutputs({ imageRefs: refs, repositoryArns: arns, repositoryUrls: urls });
  }

  /** A job image's repository (built from this repository by `pulumi up`, so never empty when used). */
  private repository(name: string, image: ImageName, args: ImagesArgs, kmsKeyArn: pulumi.Output<string>) {
    const child = { parent: this };
    const repoName = `${args.namePrefix}-${REPOSITORY_SUFFIX[image]}`;
    const repo = new aws.ecr.Repository(
      `${name}-${REPOSITORY_SUFFIX[image]}`,
      {
        name: repoName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: kmsKeyArn }],
        forceDelete: !args.protect,
      },
      child,
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-${REPOSITORY_SUFFIX[image]}`,
      {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Keep the last ${args.keepImages} images`,
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
              action: { type: "expire" },
            },
          ],
        }),
      },
      child,
    );
    return { url: repo.repositoryUrl, arn: repo.arn };
  }
}
