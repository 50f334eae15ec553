/** The HTTPS listeners' ACM certificates: in the stack's region, ISSUED, and covering the stack's domain. */
import { DescribeCertificateCommand, ListCertificatesCommand } from "@aws-sdk/client-acm";
import type { Clients } from "./clients";
import type { Needs } from "./needs";
import { awsError, Findings } from "./problem";

/** ACM's matching: an exact name, or `*.example.com` for exactly one more label. */
export function covers(names: string[], domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, "");
  return names.some((n) => {
    const name = n.toLowerCase();
    if (name === d) return true;
    return name.startsWith("*.") && d.endsWith(name.slice(1)) && !d.slice(0, d.length - name.length + 1).includes(".");
  });
}

/**
 * The plan's listener certificate ARN stands in for the bootstrap stack's output (it is a mock
 * offline), so the account is asked instead: an ACM certificate in the stack's region that covers
 * the stack's domain, ISSUED. Without a domain, every HTTPS listener's certificate must exist.
 */
export async function checkCertificates(c: Clients, needs: Needs, domain: string | undefined, out: Findings): Promise<void> {
  if (needs.certificates.length === 0) return;
  if (domain === undefined) {
    out.notes.push("the stack config has no domainName key: certificates not checked against a domain");
    return;
  }
  const resource = needs.certificates[0].resource;
  const argument = `certificate for ${domain}`;
  const found: { arn: string; status: string }[] = [];
  try {
    let next: string | undefined;
    do {
      const page = await c.acm.send(new ListCertificatesCommand({ NextToken: next }));
      for (const summary of page.CertificateSummaryList ?? []) {
        const cert = (await c.acm.send(new DescribeCertificateCommand({ CertificateArn: summary.CertificateArn }))).Certificate;
        const names = [cert?.DomainName ?? "", ...(cert?.SubjectAlternativeNames ?? [])].filter(Boolean);
        if (cert?.CertificateArn && covers(names, domain)) found.push({ arn: cert.CertificateArn, status: cert.Status ?? "unknown" });
      }
      next = page.NextToken;
    } while (next);
  } catch (e) {
    out.problems.push({
      resource,
      argument,
      problem: `cannot be looked up (${awsError(e)})`,
      fix: "grant acm:ListCertificates and acm:DescribeCertificate to the deploying role",
    });
    return;
  }
  if (found.some((f) => f.status === "ISSUED")) return;
  const pending = found.find((f) => f.status === "PENDING_VALIDATION");
  if (pending) {
    out.problems.push({
      resource,
      argument: `${argument} (${pending.arn})`,
      problem: "status is PENDING_VALIDATION, not ISSUED: the HTTPS listener cannot use it",
      fix: "create its DNS validation records (aws acm describe-certificate shows them) and wait for ISSUED",
    });
    return;
  }
  out.problems.push({
    resource,
    argument,
    problem: found.length ? `only ${found.map((f) => f.status).join(", ")} certificates in ${c.region}` : `none in ${c.region}`,
    fix: "deploy the bootstrap stack (bootstrap/: it requests the certificate and validates it in the domain's zone)",
  });
}
