/**
 * Is a template's answer publishable? Each problem is written as an instruction the model can act on
 * (it goes into the follow-up that asks for a corrected answer) and is kept in front matter when the
 * corrected answer still has it. A layout the model chose differently is not a problem (the parsers read
 * the usual shapes); missing content, English paragraphs, a title that echoes the instructions are.
 */
import { chineseRatio, MODEL_FRONT_MATTER } from '../llm/text-checks.js';
import type { Template } from '../templates/template.js';
import { repairMarkdown } from './markdown.js';
import { toSimplified } from './script.js';

export interface Checked {
  /** The answer with what could be repaired repaired (fences, rules, inline HTML, Traditional characters). */
  text: string;
  problems: string[];
}

const CJK = /[\u3400-\u9fff]/g;

/** Prose paragraphs that are mostly English (names and formulas aside). */
export function englishParagraphs(md: string): string[] {
  return (
    md
      .replace(MODEL_FRONT_MATTER, '')
      .replace(/```[\s\S]*?```/g, '')
      // title lines (# …, **…**, 标题：…) name the paper in English by design
      .replace(/^(?:#{1,6}\s.*|\*\*[^*\n]+\*\*\s*|(?:中文)?标题\s*[:：].*|title\s*:.*)$/gim, '')
      .split(/\n{2,}/)
      .map((p) => p.trim())
      .filter((p) => p && !/^(#|\||> ?\[!|!\[)/.test(p))
      .filter((p) => {
        const words = p.replace(/\$[^$]*\$/g, ' ').match(/[A-Za-z]{2,}/g)?.length ?? 0;
        // a Chinese line around an English title (一文读懂：<title>) is not an English paragraph
        return words >= 15 && chineseRatio(p) < 0.5 && (p.match(CJK)?.length ?? 0) < 10;
      })
  );
}

/** A title that repeats the prompt (好的，以下是…, 标题：…, a line of the instructions) instead of being one. */
export function echoesInstructions(title: string, tpl: Template): boolean {
  const t = title.replace(/\s+/g, '');
  if (/^(好的|当然|以下是|下面是|这是|根据(你|您)?的要求|作为一[名位个]|你是|请)/.test(t)) return true;
  if (/^(中文)?标题[:：]?$/.test(t) || /(拟一个|写一篇|解读文章|不超过\d+个?字)/.test(t)) return true;
  // eight characters in a row from the instructions
  const prompt = `${tpl.system}\n${tpl.user}`.replace(/\s+/g, '');
  for (let i = 0; i + 8 <= t.length; i++) if (prompt.includes(t.slice(i, i + 8))) return true;
  return false;
}

/** The explainer's range of Chinese characters: the template's `length`, else none. */
function lengthProblem(body: string, tpl: Template): string | undefined {
  if (!tpl.length) return undefined;
  const n = body.match(CJK)?.length ?? 0;
  const [min, max] = tpl.length;
  if (n < min) return `正文只有约 ${n} 个汉字，太短：应在 ${min}–${max} 字之间`;
  if (n > max) return `正文约 ${n} 个汉字，太长：应在 ${min}–${max} 字之间`;
  return undefined;
}

/** What every kind shares: Markdown that renders, Chinese throughout, one script. */
export function checkMarkdown(raw: string, o: { requireChinese: boolean }): Checked {
  const repaired = repairMarkdown(raw);
  const text = toSimplified(repaired.text);
  const problems = [...repaired.problems];
  if (o.requireChinese)
    for (const p of englishParagraphs(text))
      problems.push(`这一段是英文，请改用中文写：「${p.replace(/\s+/g, ' ').slice(0, 60)}…」`);
  return { text, problems };
}

/** The post's own requirements on top: a real title, the lede when asked for, sections, length. */
export function postProblems(parsed: { titleZh: string; lede: string; body: string }, tpl: Template): string[] {
  const problems: string[] = [];
  if (parsed.titleZh && echoesInstructions(parsed.titleZh, tpl))
    problems.push(`标题「${parsed.titleZh.slice(0, 30)}」是对要求的复述，请写一个真正的中文标题`);
  // no > lede is a layout (the listing then takes the first sentences); no prose at all is missing content
  const prose = parsed.body.split(/\n{2,}/).some((p) => /^[^#>*|\-\d\s]/.test(p.trim()) && /[。！？]/.test(p));
  if (!parsed.lede && !prose) problems.push('缺少正文段落：标题下面应有 > 开头的导语和成段的中文解读');
  const sections = parsed.body.split('\n').filter((l) => /^(#{2,3}\s+\S|\*\*[^*]{2,40}\*\*\s*[:：]?\s*$)/.test(l));
  if (sections.length < 2) problems.push('正文缺少分节：请按要求用几个 ## 小标题组织正文');
  const length = lengthProblem(parsed.body, tpl);
  if (length) problems.push(length);
  return problems;
}

/** The follow-up that asks for a corrected answer, listing exactly what to fix. */
export function fixRequest(problems: string[]): string {
  return [
    '你的回答有以下问题：',
    ...problems.map((p, i) => `${i + 1}. ${p}`),
    '',
    '请修正这些问题，重新输出完整的回答（格式与要求不变，不要解释你改了什么）。',
  ].join('\n');
}
