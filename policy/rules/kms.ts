/** KMS. */
import type { Rule } from "./types";
import { isTrue, label } from "./util";

export const KMS_KEY = "aws:kms/key:Key";

export const kmsRules: Rule[] = [
  {
    kind: "resource",
    name: "kms-key-rotation",
    description:
      "Symmetric customer managed keys rotate yearly (enableKeyRotation), limiting what one " +
      "leaked key version exposes. (AWS cannot rotate asymmetric/HMAC keys; those are exempt.)",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (r.type !== KMS_KEY) return [];
      const spec = r.inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
      if (spec !== "SYMMETRIC_DEFAULT") return [];
      return isTrue(r.inputs.enableKeyRotation) ? [] : [`${label(r)}: enableKeyRotation must be true`];
    },
  },
];
