import { appKeys } from "./app";
import { backupKeys } from "./backup";
import { bootstrapKeys } from "./bootstrap";
import { dataKeys } from "./data";
import { generalKeys } from "./general";
import { monitoringKeys } from "./monitoring";
import { networkKeys } from "./network";
import { operationsKeys } from "./operations";
import { previewKeys } from "./preview";
import { secretKeys } from "./secrets";

/** Every key the program reads, by the section of the README's config reference it appears in. */
export const keyGroups = {
  general: generalKeys,
  bootstrap: bootstrapKeys,
  network: networkKeys,
  data: dataKeys,
  app: appKeys,
  backup: backupKeys,
  monitoring: monitoringKeys,
  operations: operationsKeys,
  preview: previewKeys,
  secrets: secretKeys,
};

export const settingKeys = {
  ...generalKeys,
  ...bootstrapKeys,
  ...networkKeys,
  ...dataKeys,
  ...appKeys,
  ...backupKeys,
  ...monitoringKeys,
  ...operationsKeys,
  ...previewKeys,
};
export const allKeys = { ...settingKeys, ...secretKeys };
export { secretKeys };
