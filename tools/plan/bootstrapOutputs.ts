/**
 * The bootstrap stack's `appStacks` output as the offline providers would compute it, for app
 * stacks' plans (their StackReference). Derived from the bootstrap stack file and the same mock
 * table the engine's providers answer from (logical names as bootstrap/ declares them), so a plan
 * and an engine deployment after `bootstrap up` see the same ARNs and URLs; the engine tests'
 * plan-against-engine comparison keeps the two in step.
 */
import * as fs from "fs";
import { validateBootstrapConfig } from "../../bootstrap/config";
import { APP_IMAGES, APP_REPOSITORY_SUFFIX, APP_STACKS_OUTPUT, AppStackBootstrap } from "../../bootstrap/contract";
import { certificateName } from "../../bootstrap/dns";
import { mockCall, mockState } from "./mockOutputs";
import { BOOTSTRAP_DIR, loadStackConfig, stackFile } from "./stackConfig";

/** `org/project/stack` -> the outputs of that bootstrap stack, from bootstrap/Pulumi.<stack>.yaml. */
export function offlineBootstrapOutputs(ref: string): Record<string, unknown> {
  const stack = ref.split("/")[2];
  if (!fs.existsSync(stackFile(stack, BOOTSTRAP_DIR))) {
    throw new Error(`plan: bootstrapStack ${ref} names bootstrap stack "${stack}", but bootstrap/Pulumi.${stack}.yaml does not exist`);
  }
  const loaded = loadStackConfig(stack, { projectDir: BOOTSTRAP_DIR });
  const cfg = validateBootstrapConfig(loaded.project, stack, loaded.config);
  const state = (type: string, name: string, inputs: Record<string, unknown>) => mockState(type, name, inputs, cfg.region, stack);
  const zoneId: string = cfg.createHostedZone
    ? state("aws:route53/zone:Zone", "dns-zone", { name: cfg.hostedZoneName }).zoneId
    : mockCall("aws:route53/getZone:getZone", { name: cfg.hostedZoneName, privateZone: false }, cfg.region).zoneId;
  const cert = (domain: string): string => state("aws:acm/certificate:Certificate", `dns-${certificateName(domain)}`, { domainName: domain }).arn;
  const appStacks: Record<string, AppStackBootstrap> = {};
  for (const [entry, e] of Object.entries(cfg.appStacks)) {
    const owner = e.imagesOf ?? entry;
    const repositories = Object.fromEntries(
      APP_IMAGES.map((image) => {
        const logical = `${owner}-${APP_REPOSITORY_SUFFIX[image]}`;
        const repo = state("aws:ecr/repository:Repository", logical, { name: `${cfg.appProject}-${logical}` });
        return [image, { url: repo.repositoryUrl, arn: repo.arn }];
      }),
    ) as AppStackBootstrap["repositories"];
    appStacks[entry] = {
      domainName: e.domainName,
      hostedZoneId: zoneId,
      certificateArn: cert(e.domainName),
      ...(e.wildcard ? { wildcardCertificateArn: cert(`*.${e.domainName}`) } : {}),
      secretsProvider: `awskms://alias/${cfg.appProject}-${entry}-pulumi-secrets?region=${cfg.region}`,
      secretsKeyArn: state("aws:kms/key:Key", `${entry}-secrets`, {}).arn,
      repositories,
    };
  }
  return { [APP_STACKS_OUTPUT]: appStacks };
}
