/**
 * Figures the model wrote that the source text does not contain: flagged for the author, never
 * silently dropped (a rewrite like 0.5 → 50% is a judgement call for a human).
 */

const NUMBER = /(?<![\w.])\d+(?:[.,]\d+)*(?:\s?%)?/g;

function normalise(n: string): string {
  return n.replace(/\s/g, '').replace(/,(?=\d{3}\b)/g, '');
}

function numbersIn(text: string): string[] {
  return [...text.matchAll(NUMBER)].map((m) => normalise(m[0]));
}

/** Numbers in `output` that appear nowhere in `source` (small counts 0–10 and list numbering ignored). */
export function unverifiedFigures(output: string, source: string): string[] {
  const known = new Set(numbersIn(source).flatMap((n) => [n, n.replace(/%$/, '')]));
  const body = output.replace(/^\s*(?:#{1,6}\s*)?\d+[.、)]\s/gm, ' ');
  const out: string[] = [];
  for (const n of numbersIn(body)) {
    const bare = n.replace(/%$/, '');
    if (known.has(n) || known.has(bare)) continue;
    if (/^\d+$/.test(bare) && Number(bare) <= 10) continue;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}
