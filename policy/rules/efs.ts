/** EFS: the ChromaDB volume. */
import type { Rule } from "./types";
import { asArray, isTrue, label } from "./util";

export const FILE_SYSTEM = "aws:efs/fileSystem:FileSystem";
export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

export const efsRules: Rule[] = [
  {
    kind: "resource",
    name: "efs-encrypted-at-rest",
    description: "The vector store's documents are encrypted at rest on EFS.",
    enforcementLevel: "mandatory",
    check: (r) => (r.type === FILE_SYSTEM && !isTrue(r.inputs.encrypted) ? [`${label(r)}: encrypted must be true`] : []),
  },
  {
    kind: "resource",
    name: "efs-transit-encryption",
    description: 'ECS tasks mount EFS over TLS (efsVolumeConfiguration.transitEncryption "ENABLED"), so ' + "NFS traffic is not readable on the network.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== TASK_DEFINITION) return [];
      return asArray(r.inputs.volumes)
        .filter((v) => v?.efsVolumeConfiguration)
        .filter((v) => v.efsVolumeConfiguration.transitEncryption !== "ENABLED")
        .map((v) => `${label(r)}: EFS volume "${v.name}" must set transitEncryption "ENABLED"`);
    },
  },
];
