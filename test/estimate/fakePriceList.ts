/**
 * A loopback fake of the AWS Price List Query API (moto does not emulate `pricing`): GetProducts
 * over the AWS JSON 1.1 protocol, as documented (API reference: GetProducts; Filter Type
 * TERM_MATCH; PriceList entries are JSON strings with product, terms.OnDemand.*.priceDimensions
 * and publicationDate). It refuses what the API refuses (missing ServiceCode, an unknown filter
 * type, MaxResults over 100, a bad NextToken) and pages its answers so callers must follow NextToken.
 */
import * as http from "http";
import type { AddressInfo } from "net";

export interface FakeProduct {
  serviceCode: string;
  sku: string;
  attributes: Record<string, string>;
  /** Price tiers: [beginRange, USD per unit]. */
  tiers: [string, string][];
  unit: string;
}

export interface FakePriceList {
  endpoint: string;
  requests: { target: string; body: any }[];
  products: FakeProduct[];
  close: () => Promise<void>;
}

const PAGE = 2;

function priceListEntry(p: FakeProduct): string {
  const dims = Object.fromEntries(
    p.tiers.map(([begin, usd], i) => [
      `${p.sku}.JRTCKXETXF.${i}`,
      {
        rateCode: `${p.sku}.JRTCKXETXF.${i}`,
        unit: p.unit,
        beginRange: begin,
        endRange: p.tiers[i + 1]?.[0] ?? "Inf",
        description: `${usd} per ${p.unit}`,
        pricePerUnit: { USD: usd },
        appliesTo: [],
      },
    ]),
  );
  return JSON.stringify({
    product: { productFamily: p.attributes.productFamily ?? "", sku: p.sku, attributes: { servicecode: p.serviceCode, ...p.attributes } },
    serviceCode: p.serviceCode,
    terms: {
      OnDemand: {
        [`${p.sku}.JRTCKXETXF`]: { offerTermCode: "JRTCKXETXF", sku: p.sku, effectiveDate: "2026-11-01T00:00:00Z", priceDimensions: dims, termAttributes: {} },
      },
    },
    version: "20261120000000",
    publicationDate: "2026-11-20T00:00:00Z",
  });
}

function error(res: http.ServerResponse, type: string, message: string): void {
  res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type });
  res.end(JSON.stringify({ __type: type, Message: message }));
}

export async function startFakePriceList(products: FakeProduct[]): Promise<FakePriceList> {
  const fake: Omit<FakePriceList, "endpoint" | "close"> = { requests: [], products };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const body = raw ? JSON.parse(raw) : {};
      fake.requests.push({ target, body });
      if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 "))
        return error(res, "MissingAuthenticationTokenException", "request is not signed");
      if (target !== "AWSPriceListService.GetProducts") return error(res, "UnknownOperationException", target);
      if (typeof body.ServiceCode !== "string" || !body.ServiceCode) return error(res, "InvalidParameterException", "ServiceCode is required");
      if (body.MaxResults !== undefined && (body.MaxResults < 1 || body.MaxResults > 100))
        return error(res, "InvalidParameterException", "MaxResults must be 1..100");
      const filters: { Type: string; Field: string; Value: string }[] = body.Filters ?? [];
      const bad = filters.find((f) => f.Type !== "TERM_MATCH" || !f.Field || f.Value === undefined);
      if (bad) return error(res, "InvalidParameterException", `invalid filter ${JSON.stringify(bad)}`);
      const matching = fake.products.filter(
        (p) =>
          p.serviceCode === body.ServiceCode &&
          filters.every((f) => (f.Field === "productFamily" ? p.attributes.productFamily : p.attributes[f.Field]) === f.Value),
      );
      const start = body.NextToken === undefined ? 0 : Number(/^page-(\d+)$/.exec(body.NextToken)?.[1] ?? NaN);
      if (!Number.isInteger(start)) return error(res, "InvalidNextTokenException", "bad NextToken");
      const size = Math.min(body.MaxResults ?? 100, PAGE);
      const page = matching.slice(start, start + size);
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FormatVersion: "aws_v1",
          PriceList: page.map(priceListEntry),
          ...(start + size < matching.length ? { NextToken: `page-${start + size}` } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    ...fake,
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
