/**
 * Terms rendered consistently: a glossary term the paper uses should be written as the glossary says,
 * and one way only, in a post and across a day's posts. Findings are warnings, not failures.
 */
import { rendering, type Lang, type Term } from '../templates/glossary.js';
import { toSimplified } from './script.js';

/** English term → the renderings a post uses for it. */
export type TermUsage = Record<string, string[]>;

export interface TermCheck {
  usage: TermUsage;
  /** One line per term written otherwise than the glossary, or two ways. */
  findings: string[];
}

/** How often each rendering occurs, longer renderings first so 有监督微调 is not also counted as 监督微调. */
function renderingsUsed(text: string, candidates: string[]): string[] {
  let rest = text;
  const used: string[] = [];
  for (const c of [...new Set(candidates)].sort((a, b) => b.length - a.length)) {
    if (!rest.includes(c)) continue;
    used.push(c);
    rest = rest.split(c).join('\u0000');
  }
  return used;
}

/** The terms of the paper (glossary entries it uses) as the post writes them; the text is checked in Simplified form. */
export function checkTerms(written: string, terms: Term[], lang: Lang = 'zh-CN'): TermCheck {
  const text = toSimplified(written);
  const usage: TermUsage = {};
  const findings: string[] = [];
  for (const t of terms) {
    if (!t.variants.length && !t.tw && !t.hk) continue;
    const expected = toSimplified(rendering(t, lang));
    const used = renderingsUsed(text, [expected, t.zh, ...t.variants]);
    if (!used.length) continue;
    usage[t.en] = used;
    if (used.length > 1)
      findings.push(`${t.en}: 一篇里有 ${used.length} 种译法（${used.join('、')}），术语表为「${expected}」`);
    else if (used[0] !== expected) findings.push(`${t.en}: 写作「${used[0]}」，术语表为「${expected}」`);
  }
  return { usage, findings };
}

/** Terms the day's posts write in different ways: one line per term, naming the posts of each rendering. */
export function dayTermFindings(posts: Array<{ id: string; usage: TermUsage }>): string[] {
  const byTerm = new Map<string, Map<string, string[]>>();
  for (const p of posts)
    for (const [en, used] of Object.entries(p.usage))
      for (const r of used) {
        const m = byTerm.get(en) ?? new Map<string, string[]>();
        m.set(r, [...(m.get(r) ?? []), p.id]);
        byTerm.set(en, m);
      }
  const out: string[] = [];
  for (const [en, m] of byTerm)
    if (m.size > 1)
      out.push(
        `${en}: 今天的文章有 ${m.size} 种译法：${[...m].map(([r, ids]) => `「${r}」（${ids.join(', ')}）`).join('；')}`,
      );
  return out;
}
