import type { PriceTable } from "./index";

/** Which date the prices are from: the last `npm run prices`, and how many rows it did not read. */
export function pricesRead(region: string, table: PriceTable | undefined): string {
  const file = `\`tools/estimate/prices/${region}.json\``;
  if (!table?.priceListRead)
    return `Prices: ${file}, never read from the AWS Price List API (rows entered by hand, each row's \`read\` says when); \`npm run prices\` regenerates them.`;
  const rows = Object.values(table.prices);
  const stale = rows.filter((r) => !r.read.startsWith(`${table.priceListRead} from the AWS Price List API`)).length;
  return `Prices: ${file}, read from the AWS Price List API on ${table.priceListRead}${stale ? ` (${stale} of ${rows.length} rows not: free-tier or unread, see their \`read\`)` : ""}.`;
}
