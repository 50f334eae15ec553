/** Two values for a one-line message: long strings lose their common prefix, so the change shows. */
export function showPair(a: unknown, b: unknown, width = 70): [string, string] {
  const one = (v: unknown) => (v === undefined ? "(absent)" : (JSON.stringify(v) ?? String(v)));
  let [sa, sb] = [one(a), one(b)];
  if (typeof a === "string" && typeof b === "string" && Math.max(sa.length, sb.length) > width) {
    let i = 0;
    while (i < sa.length && sa[i] === sb[i]) i++;
    const cut = Math.max(0, i - 10);
    if (cut > 0) [sa, sb] = [`…${sa.slice(cut)}`, `…${sb.slice(cut)}`];
  }
  const clip = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
  return [clip(sa), clip(sb)];
}
