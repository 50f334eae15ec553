/**
 * Where each row of the price tables comes from in the AWS Price List API (GetProducts): the
 * service code, TERM_MATCH filters narrowing it to the product, and the product's usage type
 * (region-prefixed in the API, e.g. `EUC1-NatGateway-Hours`, so matched by its suffix). Rows with
 * no entry here (free-tier rows) are left as they are.
 */
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";

export interface PriceSpec {
  serviceCode: string;
  /** Attribute -> value, sent as TERM_MATCH filters (regionCode is added). */
  filters: Record<string, string>;
  /** The product's `usagetype` must end with this. */
  usageType?: string;
  /** Multiplies the per-unit price (e.g. per request -> per million requests). */
  scale?: number;
}

const rds = (instanceType: string): PriceSpec => ({
  serviceCode: "AmazonRDS",
  filters: { productFamily: "Database Instance", instanceType, databaseEngine: "PostgreSQL", deploymentOption: "Single-AZ" },
});
const cache = (instanceType: string): PriceSpec => ({
  serviceCode: "AmazonElastiCache",
  filters: { productFamily: "Cache Instance", instanceType, cacheEngine: "Redis" },
});

export const PRICE_SPECS: Record<string, PriceSpec> = {
  "ec2.natGateway.hour": { serviceCode: "AmazonEC2", filters: { productFamily: "NAT Gateway" }, usageType: "NatGateway-Hours" },
  "ec2.natGateway.gb": { serviceCode: "AmazonEC2", filters: { productFamily: "NAT Gateway" }, usageType: "NatGateway-Bytes" },
  "ec2.publicIpv4.hour": { serviceCode: "AmazonVPC", filters: { productFamily: "VPC Public IPv4 Address" }, usageType: "PublicIPv4:InUseAddress" },
  "elb.alb.hour": { serviceCode: "AWSELB", filters: { productFamily: "Load Balancer-Application" }, usageType: "LoadBalancerUsage" },
  "elb.alb.lcuHour": { serviceCode: "AWSELB", filters: { productFamily: "Load Balancer-Application" }, usageType: "LCUUsage" },
  "rds.postgres.db.t4g.micro.hour": rds("db.t4g.micro"),
  "rds.postgres.db.t4g.small.hour": rds("db.t4g.small"),
  "rds.postgres.db.t4g.medium.hour": rds("db.t4g.medium"),
  "rds.postgres.db.m7g.large.hour": rds("db.m7g.large"),
  "rds.postgres.db.r7g.large.hour": rds("db.r7g.large"),
  "rds.gp3.gbMonth": {
    serviceCode: "AmazonRDS",
    filters: { productFamily: "Database Storage", volumeType: "General Purpose-GP3", databaseEngine: "PostgreSQL", deploymentOption: "Single-AZ" },
  },
  "elasticache.cache.t4g.micro.hour": cache("cache.t4g.micro"),
  "elasticache.cache.t4g.small.hour": cache("cache.t4g.small"),
  "elasticache.cache.t4g.medium.hour": cache("cache.t4g.medium"),
  "elasticache.cache.m7g.large.hour": cache("cache.m7g.large"),
  "fargate.vcpu.hour": { serviceCode: "AmazonECS", filters: { productFamily: "Compute" }, usageType: "Fargate-vCPU-Hours:perCPU" },
  "fargate.gb.hour": { serviceCode: "AmazonECS", filters: { productFamily: "Compute" }, usageType: "Fargate-GB-Hours" },
  "efs.standard.gbMonth": {
    serviceCode: "AmazonEFS",
    filters: { productFamily: "Storage", storageClass: "General Purpose" },
    usageType: "TimedStorage-ByteHrs",
  },
  "s3.standard.gbMonth": { serviceCode: "AmazonS3", filters: { productFamily: "Storage", volumeType: "Standard" }, usageType: "TimedStorage-ByteHrs" },
  "cloudwatch.logs.ingestGb": { serviceCode: "AmazonCloudWatch", filters: { productFamily: "Data Payload" }, usageType: "DataProcessing-Bytes" },
  "cloudwatch.alarm.month": { serviceCode: "AmazonCloudWatch", filters: { productFamily: "Alarm" }, usageType: "CW:AlarmMonitorUsage" },
  "kms.key.month": { serviceCode: "awskms", filters: {}, usageType: "KMS-Keys" },
  "secretsmanager.secret.month": { serviceCode: "AWSSecretsManager", filters: {}, usageType: "AWSSecretsManager-Secrets" },
  "waf.webAcl.month": { serviceCode: "awswaf", filters: {}, usageType: "WebACL" },
  "waf.rule.month": { serviceCode: "awswaf", filters: {}, usageType: "Rule" },
  "waf.millionRequests": { serviceCode: "awswaf", filters: {}, usageType: "Request", scale: 1_000_000 },
  "ecr.gbMonth": { serviceCode: "AmazonECR", filters: {}, usageType: "TimedStorage-ByteHrs" },
  "vpcEndpoint.interface.hourPerAz": { serviceCode: "AmazonVPC", filters: {}, usageType: "VpcEndpoint-Hours" },
  "vpcEndpoint.interface.gb": { serviceCode: "AmazonVPC", filters: {}, usageType: "VpcEndpoint-Bytes" },
};

/** One on-demand price of a product, as GetProducts' documented PriceList entries carry it. */
export interface ListedPrice {
  usd: number;
  sku: string;
  usageType: string;
  unit: string;
  publicationDate: string;
}

interface PriceListItem {
  product: { sku: string; attributes: Record<string, string> };
  terms?: { OnDemand?: Record<string, { priceDimensions: Record<string, { unit: string; beginRange?: string; pricePerUnit: { USD?: string } }> }> };
  publicationDate: string;
}

/** The products GetProducts returns for the spec in the region, every page. */
export async function products(client: PricingClient, spec: PriceSpec, region: string): Promise<PriceListItem[]> {
  const Filters = Object.entries({ ...spec.filters, regionCode: region }).map(([Field, Value]) => ({ Type: "TERM_MATCH" as const, Field, Value }));
  const out: PriceListItem[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetProductsCommand({ ServiceCode: spec.serviceCode, Filters, FormatVersion: "aws_v1", NextToken, MaxResults: 100 }));
    for (const entry of page.PriceList ?? []) out.push(JSON.parse(typeof entry === "string" ? entry : String(entry)));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/**
 * The one on-demand USD price the spec names: products narrowed by usage type, the first tier of
 * a tiered price (beginRange 0). Anything but exactly one candidate is an error naming the count,
 * so a changed catalogue is noticed instead of a wrong row written.
 */
export function pick(items: PriceListItem[], spec: PriceSpec): ListedPrice {
  const matching = items.filter((i) => !spec.usageType || (i.product.attributes.usagetype ?? "").endsWith(spec.usageType));
  const prices: ListedPrice[] = [];
  for (const item of matching) {
    for (const term of Object.values(item.terms?.OnDemand ?? {})) {
      for (const dim of Object.values(term.priceDimensions)) {
        if ((dim.beginRange ?? "0") !== "0" || dim.pricePerUnit.USD === undefined) continue;
        prices.push({
          usd: Number(dim.pricePerUnit.USD) * (spec.scale ?? 1),
          sku: item.product.sku,
          usageType: item.product.attributes.usagetype ?? "",
          unit: dim.unit,
          publicationDate: item.publicationDate,
        });
      }
    }
  }
  const distinct = [...new Map(prices.map((p) => [`${p.sku}:${p.usd}`, p])).values()];
  if (distinct.length !== 1) {
    throw new Error(`${distinct.length} on-demand prices match (${matching.length} products${spec.usageType ? ` with usage type *${spec.usageType}` : ""})`);
  }
  return distinct[0];
}
