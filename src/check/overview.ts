/**
 * The day's overview checked against the day: the themes and the must-reads are there, every paper it
 * cites by number exists, every count of papers and every share it states can be computed from the day
 * (7 篇 on a five-paper day, 60% when no number of papers gives 60%, are invented), and other figures
 * are in the papers' lines it was given.
 */
import { chineseNumeral, figuresInChinese, figuresInSource, sentenceAt, supported } from './figures.js';

export interface Day {
  /** How many papers the overview was given (cited as [1] … [total]). */
  total: number;
  /** The lines the overview was given (titles and one-sentence summaries). */
  paperList: string;
}

const COUNT = /(\d+|[〇一二两三四五六七八九十百千]+)\s*篇/g;
const WHOLE_DAY = /(共|总共|一共|合计|今天|今日|当天|本日|全部)[^。！？\n]{0,8}$/;

/** Each problem as an instruction the model can act on (it goes into the follow-up). */
export function overviewProblems(text: string, day: Day): string[] {
  const problems: string[] = [];
  const headings = text.split('\n').filter((l) => /^(#{2,4}\s+\S|\*\*[^*]{2,40}\*\*\s*[:：]?\s*$)/.test(l.trim()));
  const mustRead = headings.some((h) => /必读|推荐|值得(细|一)读|精选|重点/.test(h));
  if (headings.filter((h) => !/必读|推荐|值得(细|一)读|精选|重点/.test(h)).length === 0)
    problems.push('缺少主题：请用 ### 小标题把论文归纳成几个主题');
  if (!mustRead && day.total >= 2) problems.push('缺少必读推荐：请在最后用 ### 必读推荐 列出最值得细读的几篇');

  const cited = new Set<number>();
  for (const m of text.matchAll(/\[(\d+(?:\s*[,，、–-]\s*\d+)*)\]/g))
    for (const n of m[1]!.split(/[,，、–-]/)) cited.add(Number(n.trim()));
  const missing = [...cited].filter((n) => n < 1 || n > day.total).sort((a, b) => a - b);
  if (missing.length)
    problems.push(
      `引用了不存在的论文编号 ${missing.map((n) => `[${n}]`).join('、')}：今天只有 ${day.total} 篇，编号是 [1] 到 [${day.total}]`,
    );

  for (const m of text.matchAll(COUNT)) {
    const n = /^\d+$/.test(m[1]!) ? Number(m[1]) : chineseNumeral(m[1]!);
    if (n === undefined) continue;
    const before = text.slice(Math.max(0, m.index - 12), m.index);
    if (n > day.total || (WHOLE_DAY.test(before) && n !== day.total))
      problems.push(
        `「${sentenceAt(text, m.index)}」说有 ${m[0].trim()}，但今天一共是 ${day.total} 篇：数量请按给出的列表来数`,
      );
  }

  // shares: a share of the day's papers (k of total), or a figure one of the papers states
  // the papers' lines are Chinese, with an English title in each: read in both languages
  const known = figuresInSource(day.paperList);
  for (const f of figuresInChinese(day.paperList)) {
    const v = Math.round(f.value * 1e6) / 1e6;
    known.add(`${v}|${f.unit}`).add(`${v}|`);
  }
  // citations and counts are checked above; blanked to the same length so sentences stay in place
  const blank = (m: string) => ' '.repeat(m.length);
  const plain = text.replace(/\[[^\]]*\]/g, blank).replace(COUNT, blank);
  for (const f of figuresInChinese(plain)) {
    if (supported(f, known)) continue;
    if (f.unit === '%' && isShareOf(f.value, day.total)) continue;
    problems.push(
      `「${sentenceAt(text, f.at)}」中的 ${f.text} 在给出的论文列表里找不到，也不是今天论文数的比例：请删去或改成列表里有的信息`,
    );
  }
  return [...new Set(problems)];
}

/** Some whole number of the day's papers is this percentage of them (rounded as people round). */
function isShareOf(percent: number, total: number): boolean {
  for (let k = 0; k <= total; k++) if (Math.abs((100 * k) / total - percent) <= 1) return true;
  return false;
}
