/**
 * What every model answer goes through before it is parsed: the wrappers real models add around the
 * text we asked for (reasoning, a fence around the whole answer, a front-matter block of their own, a
 * polite preamble or sign-off), and a fuzzy comparison of short texts for finding paraphrased questions.
 */
import { MODEL_FRONT_MATTER, stripWrappers } from '../llm/text-checks.js';

export interface Unwrapped {
  text: string;
  /** `key: value` lines of a front-matter block the model put first (title, summary…), if any. */
  frontMatter: Record<string, string>;
}

/** Reasoning, a fence around everything, and a leading `---` block removed; line ends normalised. */
export function unwrapAnswer(raw: string): Unwrapped {
  let text = stripWrappers(raw);
  const frontMatter: Record<string, string> = {};
  const fm = MODEL_FRONT_MATTER.exec(text);
  if (fm) {
    for (const line of fm[1]!.split('\n')) {
      const m = /^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$/.exec(line);
      if (m) frontMatter[m[1]!.toLowerCase()] = m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
    }
    text = text.slice(fm[0].length).trim();
  }
  return { text, frontMatter };
}

/** A line that only introduces the answer ("好的，以下是……：", "Sure, here is …:"). */
export function isPreambleLine(line: string): boolean {
  const t = line.trim();
  if (!t || t.length > 120) return false;
  if (
    /^(好的|好|当然|没问题|以下|下面|接下来|根据|我将|我会|OK|Okay|Sure|Here|Below|Certainly)/i.test(t) &&
    /[:：]\s*$/.test(t)
  )
    return true;
  return /^(好的|当然|没问题)[，,！!。]?\s*$/.test(t);
}

const CLOSING =
  /^(希望(以上|这些|本文|这篇)?|以上(就是|是|便是|内容|回答|解读)|如(果您?|需|有)(还|进一步|任何|其他|需要)|若(您|需)|欢迎|如果你还|有任何问题|Hope this|Let me know|I hope)/i;

/** Drop a sign-off after the last real paragraph ("希望以上解读对您有所帮助！"), and a trailing rule. */
export function stripClosing(md: string): string {
  let paras = md.trim().split(/\n{2,}/);
  // a short tail after a horizontal rule is a remark, not content
  const rule = paras.findLastIndex((p) => /^\s*([-*_])(\s*\1){2,}\s*$/.test(p));
  if (rule > 0 && paras.slice(rule + 1).join('\n\n').length <= 200) paras = paras.slice(0, rule);
  while (paras.length > 1) {
    const last = paras.at(-1)!.trim();
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(last) || (last.length <= 160 && CLOSING.test(last.replace(/^[*_>\s]+/, ''))))
      paras.pop();
    else break;
  }
  return paras.join('\n\n').trim();
}

const CN_DIGITS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** "3", "三", "十二" → 3, 3, 12; undefined when it is not a small number. */
export function smallNumber(s: string): number | undefined {
  if (/^\d{1,2}$/.test(s)) return Number(s);
  if (!/^[一二三四五六七八九十]{1,3}$/.test(s)) return undefined;
  if (s.length === 1) return CN_DIGITS[s];
  if (s[0] === '十') return 10 + (CN_DIGITS[s[1]!] ?? 0);
  return (CN_DIGITS[s[0]!] ?? 0) * 10 + (s[2] ? (CN_DIGITS[s[2]] ?? 0) : 0);
}

function grams(s: string): Set<string> {
  const t = s
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}\d]+/gu, ' ')
    .replace(/(这篇|本篇|该|本)(论文|文章|研究|工作)/g, '论文')
    .replace(/一下|请问|请/g, '');
  const out = new Set<string>();
  for (const run of t.match(/[\u3400-\u9fff]+/g) ?? []) {
    if (run.length === 1) out.add(run);
    for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
  }
  for (const w of t.match(/[a-z]{3,}/g) ?? []) out.add(w);
  return out;
}

/**
 * How alike a line is to a question, from 0 to 1: the larger of their bigram overlap (Dice) and the
 * share of the question found in the line (for a heading that adds words around the question).
 */
export function similarity(line: string, question: string): number {
  const a = grams(line);
  const b = grams(question);
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const g of b) if (a.has(g)) shared++;
  return Math.max((2 * shared) / (a.size + b.size), (0.9 * shared) / b.size);
}
