import * as pulumi from "@pulumi/pulumi";
import type { AppStackBootstrap } from "../../bootstrap/contract";
import { Images } from "../../components/images/images";
import { StackConfig } from "../config";

export function imagesPart(cfg: StackConfig, bootstrap: pulumi.Output<AppStackBootstrap>, opts: pulumi.ComponentResourceOptions): Images {
  return new Images(
    "images",
    {
      appRepositories: bootstrap.repositories,
      namePrefix: cfg.namePrefix,
      sources: {
        api: cfg.apiImage,
        telegramBot: cfg.telegramBotImage,
        discordBot: cfg.discordBotImage,
        backupJob: cfg.backupJobImage,
        dbInit: cfg.dbInitImage,
      },
      // pg_dump refuses a server newer than itself: the backup image's client matches the database.
      buildArgs: { backupJob: { PG_MAJOR: cfg.postgresVersion } },
      keepImages: cfg.ecrKeepImages,
      protect: cfg.protectStatefulResources,
    },
    opts,
  );
}
