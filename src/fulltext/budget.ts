/**
 * Fit a paper into a token budget without cutting blindly: whole sections go first in order of
 * usefulness (related work, acknowledgements, …), then trailing paragraphs of the longer sections;
 * the abstract, introduction, method, experiments and conclusion are kept longest.
 */
import { createRequire } from 'node:module';
import type { Section } from './types.js';

let counter: ((text: string) => number) | undefined;

/** Tokens by o200k (gpt-tokenizer), loaded on first use: its tables cost ~30 MB and are only needed for full text. */
export function tokens(text: string): number {
  counter ??= (createRequire(import.meta.url)('gpt-tokenizer') as { countTokens: (t: string) => number }).countTokens;
  return counter(text);
}

/** Lower = cut earlier. Related work is kept (only trimmed) when the questions ask about it. */
function usefulness(heading: string, relatedAsked = false): number {
  const h = heading.toLowerCase();
  if (
    /acknowledg|funding|author contributions?|ethic|broader impact|impact statement|reproducibility|checklist/.test(h)
  )
    return 0;
  if (/related work|prior work|literature|background|preliminar/.test(h)) return relatedAsked ? 4 : 1;
  if (/limitation|discussion|future work|case stud|qualitative|ablation|analysis/.test(h)) return 3;
  if (/abstract/.test(h)) return 9;
  if (/conclusion|summary|concluding/.test(h)) return 8;
  if (/introduction|overview/.test(h)) return 7;
  if (/method|approach|model|framework|architecture|algorithm|our |proposed|design/.test(h)) return 6;
  if (/experiment|result|evaluation|benchmark|setup|dataset/.test(h)) return 5;
  return 2;
}

export interface Fitted {
  text: string;
  tokens: number;
  /** What was left out, for --verbose. */
  cuts: string[];
}

export function render(sections: Section[]): string {
  return sections.map((s) => `## ${s.heading}\n\n${s.text}`.trim()).join('\n\n');
}

export function fitToBudget(sections: Section[], budget: number, o: { relatedAsked?: boolean } = {}): Fitted {
  const useful = (h: string) => usefulness(h, o.relatedAsked);
  const secs = sections.map((s) => ({ ...s, paras: s.text.split(/\n{2,}/), dropped: false }));
  const cuts: string[] = [];
  const current = () =>
    render(secs.filter((s) => !s.dropped).map((s) => ({ heading: s.heading, text: s.paras.join('\n\n') })));
  let total = tokens(current());
  if (total <= budget) return { text: current(), tokens: total, cuts };
  // 1. whole sections, least useful first (never the abstract/introduction/method/experiments/conclusion)
  const order = secs
    .filter((s) => useful(s.heading) <= 3)
    .sort((a, b) => useful(a.heading) - useful(b.heading) || tokens(b.text) - tokens(a.text));
  for (const s of order) {
    if (total <= budget) break;
    const t = tokens(`## ${s.heading}\n\n${s.text}`);
    s.dropped = true;
    total = tokens(current());
    cuts.push(`section "${s.heading}" (${t} tokens)`);
  }
  // 2. trailing paragraphs of the longest remaining sections, least useful first; "[…]" marks the gap
  const real = (x: (typeof secs)[number]) => x.paras.filter((p) => p !== '[…]').length;
  const trimmed = new Map<string, { n: number; t: number }>();
  while (total > budget) {
    const candidates = secs.filter((x) => !x.dropped && real(x) > 1 && useful(x.heading) < 9);
    if (candidates.length === 0) break;
    candidates.sort(
      (a, b) => useful(a.heading) - useful(b.heading) || tokens(b.paras.join('\n\n')) - tokens(a.paras.join('\n\n')),
    );
    const x = candidates[0]!;
    if (x.paras[x.paras.length - 1] === '[…]') x.paras.splice(x.paras.length - 2, 1);
    else x.paras.splice(x.paras.length - 1, 1, '[…]');
    const prev = total;
    total = tokens(current());
    const t = trimmed.get(x.heading) ?? { n: 0, t: 0 };
    trimmed.set(x.heading, { n: t.n + 1, t: t.t + prev - total });
  }
  for (const [h, t] of trimmed) cuts.push(`${t.n} trailing paragraph${t.n > 1 ? 's' : ''} of "${h}" (${t.t} tokens)`);
  // 3. still too long (a single enormous section): drop whole remaining sections from the least useful
  while (total > budget) {
    const rest = secs
      .filter((s) => !s.dropped && useful(s.heading) < 9)
      .sort((a, b) => useful(a.heading) - useful(b.heading));
    const s = rest[0];
    if (!s) break;
    s.dropped = true;
    total = tokens(current());
    cuts.push(`section "${s.heading}" (rest)`);
  }
  return { text: current(), tokens: total, cuts };
}
