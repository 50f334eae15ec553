/**
 * The AWS SDK clients the preflight reads with: the default credential chain, the plan's region,
 * and `AWS_ENDPOINT_URL` (the SDK's own setting) passed on explicitly so the tests' moto server
 * answers every service. Every call the preflight makes is a read.
 */
import { ACMClient } from "@aws-sdk/client-acm";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { KMSClient } from "@aws-sdk/client-kms";
import { RDSClient } from "@aws-sdk/client-rds";
import { S3Client } from "@aws-sdk/client-s3";
import { ServiceQuotasClient } from "@aws-sdk/client-service-quotas";
import { STSClient } from "@aws-sdk/client-sts";

export interface Clients {
  region: string;
  acm: ACMClient;
  ec2: EC2Client;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  kms: KMSClient;
  rds: RDSClient;
  s3: S3Client;
  quotas: ServiceQuotasClient;
  sts: STSClient;
}

export function clientsFor(region: string, env: NodeJS.ProcessEnv = process.env): Clients {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const base = { region, ...(endpoint ? { endpoint } : {}), maxAttempts: 2 };
  return {
    region,
    acm: new ACMClient(base),
    ec2: new EC2Client(base),
    ecs: new ECSClient(base),
    elb: new ElasticLoadBalancingV2Client(base),
    kms: new KMSClient(base),
    rds: new RDSClient(base),
    // An emulator on one host:port cannot answer virtual-hosted bucket names.
    s3: new S3Client({ ...base, forcePathStyle: !!endpoint }),
    quotas: new ServiceQuotasClient(base),
    sts: new STSClient(base),
  };
}

/** Closes the clients' keep-alive sockets, so a process (or a test) that ran a preflight can exit. */
export function destroyClients(c: Clients): void {
  for (const client of [c.acm, c.ec2, c.ecs, c.elb, c.kms, c.rds, c.s3, c.quotas, c.sts]) client.destroy();
}
