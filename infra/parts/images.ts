import * as pulumi from "@pulumi/pulumi";
import { Images } from "../../components/images/images";
import { StackConfig } from "../config";

export function imagesPart(cfg: StackConfig, opts: pulumi.ComponentResourceOptions): Images {
  return new Images("images", {
    namePrefix: cfg.namePrefix,
    sources: { api: cfg.apiImage, telegramBot: cfg.telegramBotImage, discordBot: cfg.discordBotImage, backupJob: cfg.backupJobImage, dbInit: cfg.dbInitImage },
    // pg_dump refuses a server newer than itself: the backup image's client matches the database.
    buildArgs: { backupJob: { PG_MAJOR: cfg.postgresVersion } },
    keepImages: cfg.ecrKeepImages,
    protect: cfg.protectStatefulResources,
  }, opts);
}
