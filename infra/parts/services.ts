import * as pulumi from "@pulumi/pulumi";
import { AppSecrets } from "../../components/containers/appSecrets";
import { Cluster } from "../../components/containers/cluster";
import { Service, SINGLE_CONSUMER_TASKS } from "../../components/containers/service";
import { Images } from "../../components/images/images";
import { alarmName, DEPLOYMENT_ALARM_IDS } from "../../components/monitoring/alarms";
import { Sentry } from "../../components/monitoring/sentry";
import { ContainerSecret } from "../../components/shared/containerSecret";
import { StackConfig } from "../config";

type Arn = pulumi.Output<string>;

/** What the services read of the data stores: the stack's own (Database, Cache, VectorStore) or a lender's (infra/parts/sharedData.ts). */
export interface ServiceStores {
  database: { appSecretArn: Arn; appSecretVersionId: Arn; kmsKeyArn: Arn };
  /** A lender's secrets carry no version id here: their tasks read the current version. */
  cache: { urlSecretArn: Arn; urlSecretVersionId?: Arn; keyPrefix?: string };
  vectorStore: { url: Arn; tokenSecretArn: Arn; tokenSecretVersionId?: Arn; database?: string };
}

export interface ServicesInputs extends ServiceStores {
  network: { privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>; appSecurityGroupId: Arn };
  cluster: Cluster;
  images: Images;
  sentry: Sentry;
  appSecrets: AppSecrets;
  /** The API's target group and the load balancer it hangs off (its own or the lender's). */
  loadBalancer: { targetGroupArn: Arn; albArnSuffix: Arn; targetGroupArnSuffix: Arn };
  apiPort: number;
}

/** The API behind the load balancer and the two bots, with what each container reads. */
export function appServices(cfg: StackConfig, inputs: ServicesInputs, opts: pulumi.ComponentResourceOptions) {
  const { network, cluster, images, database, cache, vectorStore, sentry, appSecrets, loadBalancer, apiPort } = inputs;
  // Secrets each container reads (ECS `secrets`); data-tier secrets are encrypted with the data key.
  // Each is pinned to its current version, so a rotated value rolls exactly the services reading it.
  const fromData = (secretArn: Arn, versionId: Arn | undefined, jsonKey?: string): ContainerSecret => ({
    secretArn,
    versionId,
    jsonKey,
    kmsKeyArn: database.kmsKeyArn,
  });
  const dataSecrets = {
    DATABASE_URL: fromData(database.appSecretArn, database.appSecretVersionId, "url"),
    REDIS_URL: fromData(cache.urlSecretArn, cache.urlSecretVersionId),
    CHROMA_TOKEN: fromData(vectorStore.tokenSecretArn, vectorStore.tokenSecretVersionId),
  };
  const sentryDsn = (service: "api" | "telegramBot" | "discordBot"): ContainerSecret => ({
    secretArn: sentry.dsnSecretArns[service],
    versionId: sentry.dsnSecretVersionIds[service],
    kmsKeyArn: sentry.dsnKmsKeyArn,
  });
  const environment = {
    APP_ENV: cfg.tier,
    SENTRY_ENVIRONMENT: cfg.stack,
    CHROMA_URL: vectorStore.url,
    LLM_CACHE_TTL_SECONDS: String(cfg.cacheDefaultTtlSeconds),
    // On a lender's stores (preview tier): this stack's Redis key prefix and Chroma database.
    ...(cache.keyPrefix ? { REDIS_PREFIX: cache.keyPrefix } : {}),
    ...(vectorStore.database ? { CHROMA_DATABASE: vectorStore.database } : {}),
  };
  const base = {
    namePrefix: cfg.namePrefix,
    region: cfg.region,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    subnetIds: network.privateSubnetIds,
    securityGroupIds: [network.appSecurityGroupId],
    logRetentionDays: cfg.appLogRetentionDays,
    // Non-root: uid 1000 needs no privilege for port 8000. The root filesystem is read-only and /tmp
    // a task-storage volume, root-owned 0755 unless the image declares `VOLUME /tmp` on a directory
    // uid 1000 may write (e.g. `RUN chmod 1777 /tmp` before it): the app images must do so.
    user: "1000:1000",
    writablePaths: ["/tmp"],
  };
  const api = new Service(
    "api",
    {
      ...base,
      serviceName: "api",
      image: { uri: images.imageRefs.api, repositoryArn: images.pullRepositoryArns.api },
      released: images.released.api,
      cpu: cfg.apiCpu,
      memory: cfg.apiMemory,
      minCount: cfg.apiMinCount,
      maxCount: cfg.apiMaxCount,
      cpuTargetPercent: cfg.apiCpuTargetPercent,
      environment: { ...environment, PORT: String(apiPort) },
      secrets: {
        ...dataSecrets,
        APP_SECRET_KEY: appSecrets.secrets.appSecretKey,
        STRIPE_API_KEY: appSecrets.secrets.stripeApiKey,
        LLM_API_KEY: appSecrets.secrets.llmApiKey,
        SENTRY_DSN: sentryDsn("api"),
      },
      loadBalancer: {
        targetGroupArn: loadBalancer.targetGroupArn,
        containerPort: apiPort,
        healthCheckGracePeriodSeconds: 60,
        requestCountResourceLabel: pulumi.interpolate`${loadBalancer.albArnSuffix}/${loadBalancer.targetGroupArnSuffix}`,
        requestsPerTarget: cfg.apiRequestsPerTarget,
      },
      // A release whose 5xx rate or latency alarms is rolled back by ECS (the alarms are declared later, by name).
      deploymentAlarmNames: DEPLOYMENT_ALARM_IDS.map((id) => alarmName(cfg.namePrefix, id)),
    },
    opts,
  );
  // The bots answer in-process with the same retrieval-augmented pipeline as the API: database,
  // answer cache, vector store (Chroma token) and LLM key, plus their own platform token.
  const bot = (
    serviceName: string,
    sentryName: "telegramBot" | "discordBot",
    tokenEnv: string,
    token: keyof typeof appSecrets.secrets,
    sizing: { cpu: number; memory: number },
  ) =>
    new Service(
      serviceName,
      {
        ...base,
        serviceName,
        image: { uri: images.imageRefs[sentryName], repositoryArn: images.pullRepositoryArns[sentryName] },
        released: images.released[sentryName],
        ...sizing,
        minCount: SINGLE_CONSUMER_TASKS,
        maxCount: SINGLE_CONSUMER_TASKS,
        cpuTargetPercent: cfg.botCpuTargetPercent,
        // Telegram's long polling and an unsharded Discord gateway session each allow one consumer.
        singleConsumer: true,
        environment,
        secrets: { ...dataSecrets, LLM_API_KEY: appSecrets.secrets.llmApiKey, [tokenEnv]: appSecrets.secrets[token], SENTRY_DSN: sentryDsn(sentryName) },
      },
      opts,
    );
  const telegramBot = cfg.telegramBotEnabled
    ? bot("telegram-bot", "telegramBot", "TELEGRAM_BOT_TOKEN", "telegramBotToken", { cpu: cfg.telegramBotCpu, memory: cfg.telegramBotMemory })
    : undefined;
  const discordBot = cfg.discordBotEnabled
    ? bot("discord-bot", "discordBot", "DISCORD_BOT_TOKEN", "discordBotToken", { cpu: cfg.discordBotCpu, memory: cfg.discordBotMemory })
    : undefined;
  /** Only the services that run: a switched-off bot has no entry. Keys are the services' names. */
  const running = { api, ...(telegramBot ? { "telegram-bot": telegramBot } : {}), ...(discordBot ? { "discord-bot": discordBot } : {}) };
  return { api, telegramBot, discordBot, running };
}
