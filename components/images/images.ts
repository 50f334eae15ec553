import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { contextTag, ecrRepositoryArn, parseImageSource } from "../shared/buildContext";
import { kmsKey } from "../shared/kmsKey";

export const IMAGE_NAMES = ["api", "telegramBot", "discordBot", "backupJob", "dbInit"] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

/** ECR repository suffix of each image: `<namePrefix>-<suffix>`. */
export const REPOSITORY_SUFFIX: Record<ImageName, string> = {
  api: "api", telegramBot: "telegram-bot", discordBot: "discord-bot", backupJob: "backup-job", dbInit: "db-init",
};

/** Fargate tasks run on x86_64 (the task definitions say so); images are built for it on any build host. */
export const IMAGE_PLATFORM = "linux/amd64";

export interface ImagesArgs {
  /** `<project>-<stack>`; repositories are `<namePrefix>-api`, `-telegram-bot`, ... */
  namePrefix: string;
  /**
   * Per image, from config: `build:<context>[#<Dockerfile>]` (paths relative to the repository
   * root, where Pulumi runs the program) builds and pushes; an `...@sha256:` URI is used as is.
   */
  sources: Record<ImageName, string>;
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
 * The stack's container images: one ECR repository per image (immutable tags, scan on push,
 * KMS-encrypted, expiring old images), and a build + push of each image config says to build.
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

  constructor(name: string, args: ImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:images:Images", name, {}, opts);
    const child = { parent: this };
    const key = kmsKey(`${name}-key`, {
      name: `${args.namePrefix}-images`, description: `ECR image encryption of ${args.namePrefix}`,
    }, { ...child, protect: args.protect, retainOnDelete: args.protect });

    const refs = {} as Record<ImageName, pulumi.Output<string>>;
    const pulls = {} as Record<ImageName, pulumi.Output<string> | undefined>;
    const arns = {} as Record<ImageName, pulumi.Output<string>>;
    const urls = {} as Record<ImageName, pulumi.Output<string>>;
    for (const image of IMAGE_NAMES) {
      const repoName = `${args.namePrefix}-${REPOSITORY_SUFFIX[image]}`;
      const repo = new aws.ecr.Repository(`${name}-${REPOSITORY_SUFFIX[image]}`, {
        name: repoName,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
        forceDelete: !args.protect,
      }, child);
      new aws.ecr.LifecyclePolicy(`${name}-${REPOSITORY_SUFFIX[image]}`, {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [{
            rulePriority: 1,
            description: `Keep the last ${args.keepImages} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages },
            action: { type: "expire" },
          }],
        }),
      }, child);
      arns[image] = repo.arn;
      urls[image] = repo.repositoryUrl;

      const source = parseImageSource(args.sources[image]);
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
      const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repo.registryId }, child);
      const built = new docker.Image(`${name}-${REPOSITORY_SUFFIX[image]}`, {
        imageName: pulumi.interpolate`${repo.repositoryUrl}:${tag}`,
        build: {
          context: source.context, dockerfile: source.dockerfile, platform: IMAGE_PLATFORM,
          ...(Object.keys(buildArgs).length ? { args: buildArgs } : {}),
        },
        registry: { server: repo.repositoryUrl, username: auth.userName, password: pulumi.secret(auth.password) },
        // A pull request's preview must not push: the image is built on `pulumi up` only.
        buildOnPreview: false,
      }, child);
      refs[image] = built.repoDigest;
      pulls[image] = repo.arn;
    }

    this.imageRefs = refs;
    this.pullRepositoryArns = pulls;
    this.repositoryArns = arns;
    this.repositoryUrls = urls;
    this.kmsKeyArn = key.arn;
    this.registerOutputs({ imageRefs: refs, repositoryArns: arns, repositoryUrls: urls });
  }
}
