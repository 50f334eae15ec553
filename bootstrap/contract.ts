/**
 * What the bootstrap stack hands the app stacks: the one output `appStacks`, keyed by app-stack
 * entry (`staging`, `prod`, `preview` for every pr-<n> stack). Both projects import this file, so
 * a renamed field breaks `tsc`, not a deploy.
 */
export const APP_STACKS_OUTPUT = "appStacks";

/** The app images whose repositories bootstrap owns (the app's CI pushes them before any app deploy). */
export const APP_IMAGES = ["api", "telegramBot", "discordBot"] as const;
export type AppImage = (typeof APP_IMAGES)[number];

/** ECR repository suffix of each app image: `<appProject>-<entry>-<suffix>`, as the app stack named them. */
export const APP_REPOSITORY_SUFFIX: Record<AppImage, string> = { api: "api", telegramBot: "telegram-bot", discordBot: "discord-bot" };

export interface RepositoryRef {
  url: string;
  arn: string;
}

export interface AppStackBootstrap {
  /** The host the entry's certificate is for (`*.<domain>` for a wildcard entry). */
  domainName: string;
  hostedZoneId: string;
  /** ACM certificate of `domainName`, issued (DNS validation done). */
  certificateArn: string;
  /** `*.<domainName>`, issued, for hosts below it (pr-<n> previews on staging's listener); absent if not asked for. */
  wildcardCertificateArn?: string;
  /** `awskms://alias/<appProject>-<entry>-pulumi-secrets?region=<region>`: the stack file's `secretsprovider`. */
  secretsProvider: string;
  secretsKeyArn: string;
  repositories: Record<AppImage, RepositoryRef>;
}
