import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { kmsKey } from "../components/shared/kmsKey";
import { APP_IMAGES, APP_REPOSITORY_SUFFIX, AppImage, RepositoryRef } from "./contract";

/**
 * A repository an app stack created before bootstrap existed arrives by `pulumi state move`
 * (README "Handing over the app image repositories") at the root of this stack, renamed to the
 * logical name it has here: the alias makes it this resource, so nothing is created or deleted.
 */
const handedOver = (): pulumi.Alias[] => [{ parent: pulumi.rootStackResource }];

/** Must exceed the releases a rollback reaches back to (`npm run release -- rollback`). */
const KEEP_IMAGES = 30;

export interface RegistryArgs {
  appProject: string;
  /** Entries that get repositories of their own (not those with `imagesOf`). */
  entries: string[];
}

/**
 * The app images' ECR repositories, created before any app stack so the app's CI can push the
 * first release, and Amazon Inspector's enhanced scanning (continuous, OS and language packages)
 * for every repository of the project in this account: the app stacks' job repositories too.
 */
export class Registry extends pulumi.ComponentResource {
  readonly repositories: Record<string, Record<AppImage, { url: pulumi.Output<string>; arn: pulumi.Output<string> }>> = {};

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:bootstrap:Registry", name, {}, opts);
    const child = { parent: this };
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    // Enhanced scanning is Inspector's: ECR only forwards to it once Inspector scans ECR here.
    const inspector = new aws.inspector2.Enabler(`${name}-inspector`, { accountIds: [account], resourceTypes: ["ECR"] }, child);
    new aws.ecr.RegistryScanningConfiguration(
      `${name}-scanning`,
      { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN", repositoryFilters: [{ filter: `${args.appProject}-*`, filterType: "WILDCARD" }] }] },
      { ...child, dependsOn: [inspector] },
    );

    const key = kmsKey(
      `${name}-key`,
      { name: `${args.appProject}-bootstrap-images`, description: `ECR image encryption of the ${args.appProject} app images` },
      { ...child, protect: true, retainOnDelete: true },
    );
    for (const entry of args.entries) {
      const refs = {} as Record<AppImage, { url: pulumi.Output<string>; arn: pulumi.Output<string> }>;
      for (const image of APP_IMAGES) {
        const suffix = APP_REPOSITORY_SUFFIX[image];
        const repo = new aws.ecr.Repository(
          `${entry}-${suffix}`,
          {
            // The name the app stack gave it: a repository handed over from an app stack keeps its images.
            name: `${args.appProject}-${entry}-${suffix}`,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
            forceDelete: false,
          },
          {
            ...child,
            protect: true,
            retainOnDelete: true,
            aliases: handedOver(),
            // Encryption is fixed at creation; a repository handed over from an app stack keeps its
            // own key rather than being replaced (which would delete its images).
            ignoreChanges: ["encryptionConfigurations"],
          },
        );
        new aws.ecr.LifecyclePolicy(
          `${entry}-${suffix}`,
          {
            repository: repo.name,
            policy: JSON.stringify({
              rules: [
                {
                  rulePriority: 1,
                  description: `Keep the last ${KEEP_IMAGES} images`,
                  selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: KEEP_IMAGES },
                  action: { type: "expire" },
                },
              ],
            }),
          },
          { ...child, aliases: handedOver() },
        );
        refs[image] = { url: repo.repositoryUrl, arn: repo.arn };
      }
      this.repositories[entry] = refs;
    }
    this.registerOutputs({});
  }
}

export type ResolvedRepositories = Record<AppImage, RepositoryRef>;
