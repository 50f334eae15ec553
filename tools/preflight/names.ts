/**
 * Global and account-wide names the stack claims: S3 bucket names (global across accounts) and
 * KMS aliases (per account and region). Each must be free, or already this stack's own.
 */
import { DescribeKeyCommand, ListAliasesCommand, ListResourceTagsCommand, AliasListEntry } from "@aws-sdk/client-kms";
import { GetBucketTaggingCommand, HeadBucketCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import type { Clients } from "./clients";
import type { Needs } from "./needs";
import { awsError, errorName, Findings, httpStatus } from "./problem";

async function ownBuckets(c: Clients): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const page = await c.s3.send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 }));
    for (const b of page.Buckets ?? []) if (b.Name) names.add(b.Name);
    token = page.ContinuationToken;
  } while (token);
  return names;
}

async function stackTagOfBucket(c: Clients, bucket: string): Promise<string | undefined> {
  try {
    const tags = await c.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return tags.TagSet?.find((t) => t.Key === "stack")?.Value;
  } catch (e) {
    if (errorName(e) === "NoSuchTagSet") return undefined;
    throw e;
  }
}

export async function checkBuckets(c: Clients, needs: Needs, out: Findings): Promise<void> {
  const ours = await ownBuckets(c);
  for (const { resource, bucket } of needs.buckets) {
    const argument = `bucket "${bucket}"`;
    if (ours.has(bucket)) {
      const owner = await stackTagOfBucket(c, bucket);
      if (owner !== needs.stack) {
        out.problems.push({
          resource,
          argument,
          problem: `already exists in this account${owner ? ` and belongs to stack ${owner}` : " with no stack tag"}, so the create would fail`,
          fix: "give this stack another bucket name (config), or import the bucket if it is this stack's (`pulumi import`)",
        });
      }
      continue;
    }
    try {
      await c.s3.send(new HeadBucketCommand({ Bucket: bucket }));
      out.problems.push({
        resource,
        argument,
        problem: "is taken by another AWS account (bucket names are global)",
        fix: "choose a name with this account's id in it",
      });
    } catch (e) {
      const status = httpStatus(e);
      if (status === 404 || errorName(e) === "NotFound" || errorName(e) === "NoSuchBucket") continue;
      if (status === 403 || status === 301) {
        out.problems.push({
          resource,
          argument,
          problem: `is taken by another AWS account (HeadBucket answered ${status})`,
          fix: "choose a name with this account's id in it",
        });
      } else throw e;
    }
  }
}

async function allAliases(c: Clients): Promise<AliasListEntry[]> {
  const out: AliasListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await c.kms.send(new ListAliasesCommand({ Marker: marker }));
    out.push(...(page.Aliases ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return out;
}

async function stackTagOfKey(c: Clients, keyId: string): Promise<string | undefined> {
  try {
    const tags = await c.kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
    return tags.Tags?.find((t) => t.TagKey === "stack")?.TagValue;
  } catch {
    return undefined;
  }
}

/** The `awskms://alias/<name>?region=<r>` secrets provider of the stack file, if it names one. */
export function secretsProviderAlias(secretsProvider: string | undefined): { alias: string; region?: string } | undefined {
  const m = /^awskms:\/\/(alias\/[^?]+)(?:\?(.*))?$/.exec(secretsProvider ?? "");
  if (!m) return undefined;
  return { alias: m[1], region: new URLSearchParams(m[2] ?? "").get("region") ?? undefined };
}

export interface SecretsProvider {
  /** The stack file that names it (a pr-<n> stack's is the preview template). */
  file: string;
  url: string | undefined;
}

export async function checkKmsAliases(
  c: Clients,
  needs: Needs,
  secrets: SecretsProvider,
  out: Findings,
  clientsIn: (region: string) => Clients,
): Promise<void> {
  const secretsProvider = secrets.url;
  const aliases = await allAliases(c);
  for (const { resource, alias } of needs.kmsAliases) {
    const existing = aliases.find((a) => a.AliasName === alias);
    if (!existing) continue;
    const owner = existing.TargetKeyId ? await stackTagOfKey(c, existing.TargetKeyId) : undefined;
    if (owner === needs.stack) continue;
    out.problems.push({
      resource,
      argument: `name "${alias}"`,
      problem: `already exists in ${c.region}${owner ? ` for stack ${owner}` : ""}, so the create would fail`,
      fix: `delete the alias if nothing uses it (aws kms delete-alias --alias-name ${alias}), or import it into this stack`,
    });
  }
  const provider = secretsProviderAlias(secretsProvider);
  if (!provider) {
    if (secretsProvider?.startsWith("awskms://")) out.notes.push(`secrets provider ${secretsProvider} names a key, not an alias: not checked`);
    return;
  }
  const regional = provider.region && provider.region !== c.region ? clientsIn(provider.region) : c;
  const resource = secrets.file;
  const found = (provider.region && provider.region !== c.region ? await allAliases(regional) : aliases).find((a) => a.AliasName === provider.alias);
  if (!found?.TargetKeyId) {
    out.problems.push({
      resource,
      argument: `secretsprovider ${provider.alias}`,
      problem: `KMS alias does not exist in ${regional.region}: Pulumi cannot decrypt this stack's secrets`,
      fix: "deploy the bootstrap stack of this account (it creates the secrets-provider keys), or create the key and alias",
    });
    return;
  }
  try {
    const key = await regional.kms.send(new DescribeKeyCommand({ KeyId: found.TargetKeyId }));
    const state = key.KeyMetadata?.KeyState;
    if (state !== "Enabled")
      out.problems.push({
        resource,
        argument: `secretsprovider ${provider.alias}`,
        problem: `its key is ${state}`,
        fix: "enable the key (aws kms enable-key) or cancel its deletion",
      });
  } catch (e) {
    out.problems.push({
      resource,
      argument: `secretsprovider ${provider.alias}`,
      problem: `its key cannot be described (${awsError(e)})`,
      fix: "grant kms:DescribeKey to the deploying role",
    });
  }
}
