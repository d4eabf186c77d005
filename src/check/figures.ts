/**
 * Figures a Chinese post states, in every form Chinese writing uses (37.5%, 百分之三十七点五, 三成, 3倍,
 * 7B, 1.2万, 10–20%), compared with the figures of the English text the model was given (37.5%, 0.375,
 * 3x, threefold, 7 billion, 12k …). What is not there is reported with its sentence. Not figures: counts
 * up to ten, years, list and section numbers, numbers inside names (GPT-4, 3D, top-1, A100), math, code
 * and links.
 */

/** A figure reduced to what can be compared: its value and what kind of quantity it is. */
export interface Figure {
  /** As written in the post. */
  text: string;
  value: number;
  unit: '%' | '×' | '';
  /** Where it starts in the text (to find its sentence). */
  at: number;
}

const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CN_UNIT: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CN_NUM = '[零〇一二两三四五六七八九十百千万亿点]+';

/** 三十七点五 → 37.5, 一万二千 → 12000, 两百 → 200; undefined when it is not a number. */
export function chineseNumeral(s: string): number | undefined {
  const [int, frac] = s.split('点');
  if (int === undefined || s.split('点').length > 2) return undefined;
  let total = 0;
  let section = 0;
  let digit = -1;
  for (const ch of int) {
    if (ch in CN_DIGIT) digit = CN_DIGIT[ch]!;
    else if (ch in CN_UNIT) {
      section += (digit === -1 ? 1 : digit) * CN_UNIT[ch]!;
      digit = -1;
    } else if (ch === '万' || ch === '亿') {
      section += digit === -1 ? 0 : digit;
      total += (section || 1) * (ch === '万' ? 1e4 : 1e8);
      section = 0;
      digit = -1;
    } else return undefined;
  }
  let n = total + section + (digit === -1 ? 0 : digit);
  if (frac) {
    let f = '';
    for (const ch of frac) {
      if (!(ch in CN_DIGIT)) return undefined;
      f += String(CN_DIGIT[ch]);
    }
    n += Number(`0.${f}`);
  }
  return n;
}

const num = (s: string) => Number(s.replace(/,/g, ''));
const SCALE: Record<string, number> = {
  k: 1e3,
  K: 1e3,
  M: 1e6,
  B: 1e9,
  T: 1e12,
  万: 1e4,
  亿: 1e8,
  thousand: 1e3,
  million: 1e6,
  billion: 1e9,
  trillion: 1e12,
};

/** The text with math, code, links, URLs and arXiv ids blanked out (same length, so positions still match). */
export function blankNonProse(text: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, ' ');
  return text
    .replace(/```[\s\S]*?(```|$)/g, blank)
    .replace(/`[^`\n]*`/g, blank)
    .replace(/\$\$[\s\S]*?\$\$/g, blank)
    .replace(/\$[^$\n]+\$/g, blank)
    .replace(/\]\([^)]*\)/g, blank)
    .replace(/https?:\/\/\S+/g, blank)
    .replace(/\b(?:arXiv:)?\d{4}\.\d{4,5}(?:v\d+)?\b/g, blank);
}

/** Numbers that are labels, not figures: sections, tables, figures, equations, list items, years, dates. */
function isLabel(text: string, start: number, end: number, value: number, unit: string): boolean {
  const before = text.slice(Math.max(0, start - 12), start);
  const after = text.slice(end, end + 6);
  if (unit) return false;
  if (
    /(第|§|Section\s*|Sec\.\s*|Table\s*|Fig\.\s*|Figure\s*|Eq\.\s*|表\s*|图\s*|公式\s*|式\s*|[（(])$/i.test(before) &&
    /^[\s)）]*(节|章|部分|步|条|项|个|行|列|篇|张|[)）]|[.\d]*)/.test(after)
  )
    return true;
  if (/^\s*(节|章|小节|年|月|日|号|世纪|届|期|版|卷)/.test(after)) return true;
  if (Number.isInteger(value) && value >= 1900 && value <= 2100) return true;
  if (/^\s*[.、)）]\s/.test(after) && /(^|\n)\s*$/.test(before)) return true;
  return false;
}

/** The figures a Chinese post states. */
export function figuresInChinese(raw: string): Figure[] {
  const text = blankNonProse(raw);
  const out: Figure[] = [];
  const seen = new Set<number>();
  const add = (f: Figure) => {
    if (seen.has(f.at)) return;
    seen.add(f.at);
    out.push(f);
  };
  // 百分之三十七点五, 三成, 三倍, 一万二千 …: Chinese numerals with a unit that makes them a figure
  for (const m of text.matchAll(new RegExp(`百分之(${CN_NUM})`, 'g'))) {
    const v = chineseNumeral(m[1]!);
    if (v !== undefined) add({ text: m[0], value: v, unit: '%', at: m.index! });
  }
  for (const m of text.matchAll(
    new RegExp(`(?<![零〇一二两三四五六七八九十百千万亿点之数几])(${CN_NUM})(成|倍)`, 'g'),
  )) {
    if (/^一成不变/.test(text.slice(m.index!, m.index! + 4))) continue;
    const v = chineseNumeral(m[1]!);
    if (v === undefined) continue;
    add({ text: m[0], value: m[2] === '成' ? v * 10 : v, unit: m[2] === '成' ? '%' : '×', at: m.index! });
  }
  for (const m of text.matchAll(
    new RegExp(`(?<![零〇一二两三四五六七八九十百千点之数几上近成])(${CN_NUM}[万亿])`, 'g'),
  )) {
    // 千万不要 ("by all means"), 万亿级 (a magnitude, no figure)
    if (/^[千万]万[不别要]/.test(text.slice(m.index!, m.index! + 3)) || /^[万亿]+$/.test(m[0])) continue;
    const v = chineseNumeral(m[1]!);
    if (v !== undefined && v >= 1e4) add({ text: m[0], value: v, unit: '', at: m.index! });
  }
  // arabic figures: 37.5%, 3 倍, 3×, 7B, 1.2万, 12,000, and ranges "10–20%" (the unit applies to both)
  const re =
    /(?<![A-Za-z\d.,\-_/])(\d+(?:,\d{3})*(?:\.\d+)?)(?:\s*[-–—~～至到]\s*(\d+(?:,\d{3})*(?:\.\d+)?))?\s*(%|％|个百分点|倍|[x×](?![A-Za-z\d])|[kKMBT](?![A-Za-z\d])|万|亿)?/gu;
  for (const m of text.matchAll(re)) {
    // 3D, 4o, 2nd are names; "31.4 BLEU" (a space first) is a figure with its metric
    const end = m.index! + (m[3] ? m[0].length : m[0].trimEnd().length);
    if (!m[3] && /^[A-Za-z]/.test(text.slice(end, end + 1))) continue;
    const unitRaw = m[3] ?? '';
    const scale = SCALE[unitRaw];
    const unit: Figure['unit'] = /%|％|百分点/.test(unitRaw) ? '%' : /倍|x|×/.test(unitRaw) ? '×' : '';
    for (const [i, part] of [m[1], m[2]].entries()) {
      if (part === undefined) continue;
      const value = num(part) * (scale ?? 1);
      const at = i === 0 ? m.index! : m.index! + m[0].indexOf(part, m[1]!.length);
      if (!unit && !scale) {
        if (Number.isInteger(value) && value <= 10) continue;
        if (isLabel(text, at, at + part.length, value, unitRaw)) continue;
      }
      add({ text: m[0].trim(), value, unit, at });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

const WORD_NUM: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twenty: 20,
  hundred: 100,
};

/** Every value the English source states, as "value|unit" keys (a value alone is also kept bare). */
export function figuresInSource(raw: string): Set<string> {
  const text = raw
    .replace(/\\%/g, '%')
    .replace(/\\times/g, '×')
    .replace(/\$([^$]*)\$/g, ' $1 ');
  const keys = new Set<string>();
  const put = (value: number, unit: Figure['unit']) => {
    const v = Math.round(value * 1e6) / 1e6;
    keys.add(`${v}|${unit}`);
    if (unit) keys.add(`${v}|`);
    // 0.375 accuracy is 37.5%; 37.5% is also 0.375
    if (!unit && v > 0 && v < 1) keys.add(`${Math.round(v * 1e8) / 1e6}|%`);
    if (unit === '%') keys.add(`${Math.round((v / 100) * 1e6) / 1e6}|`);
    // a 3× speed-up is also "200% faster"; "3 times" may be written 3倍 either way
    if (unit === '%' && v >= 100) keys.add(`${Math.round(v / 100 + 1)}|×`);
    if (unit === '×') keys.add(`${Math.round((v - 1) * 100)}|%`);
  };
  const re =
    /(\d+(?:,\d{3})*(?:\.\d+)?)\s*(%|percent(?:age points?)?|pp\b|points?\b|[x×](?![a-z\d])|-?fold\b|times\b|[kKMBT](?![A-Za-z\d])|thousand\b|million\b|billion\b|trillion\b)?/g;
  for (const m of text.matchAll(re)) {
    const u = m[2] ?? '';
    const scale = SCALE[u];
    const unit: Figure['unit'] = /%|percent|pp|point/.test(u) ? '%' : /[x×]|fold|times/.test(u) ? '×' : '';
    put(num(m[1]!) * (scale ?? 1), unit);
    if (scale) put(num(m[1]!), ''); // "7B" is also the bare 7
  }
  // a range states its unit once: "6-7%", "3.7-5.2x", "7-8B" are 6% and 7%, 3.7x and 5.2x, 7B and 8B
  for (const m of text.matchAll(
    /(\d+(?:,\d{3})*(?:\.\d+)?)\s*[-–—~]\s*\d+(?:,\d{3})*(?:\.\d+)?\s*(%|[x×](?![a-z\d])|[kKMBT](?![A-Za-z\d]))/g,
  )) {
    const u = m[2]!;
    const scale = SCALE[u];
    put(num(m[1]!) * (scale ?? 1), u === '%' ? '%' : /[x×]/.test(u) ? '×' : '');
  }
  for (const m of text.matchAll(
    /\b(twice|double[sd]?|doubling|triple[sd]?|tripling|quadruple[sd]?|half|halve[sd]?|(two|three|four|five|six|seven|eight|nine|ten|twenty|hundred)[- ]?(fold|times))\b/gi,
  )) {
    const w = m[1]!.toLowerCase();
    const n = /^(twice|doub)/.test(w)
      ? 2
      : /^trip/.test(w)
        ? 3
        : /^quad/.test(w)
          ? 4
          : /^hal/.test(w)
            ? 0.5
            : WORD_NUM[m[2]!.toLowerCase()]!;
    put(n, n === 0.5 ? '' : '×');
    if (n === 0.5) put(50, '%');
  }
  return keys;
}

/** A figure is supported when the source states its value as the same kind of quantity (or bare). */
export function supported(f: Figure, source: Set<string>): boolean {
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  const v = round(f.value);
  if (source.has(`${v}|${f.unit}`)) return true;
  // 71.8% for a score the source gives as 71.8; not 8 倍 for "8 GPUs"
  if (f.unit === '%' && !(Number.isInteger(v) && v <= 10) && source.has(`${v}|`)) return true;
  // rounded in the writing: 37.46% → 37.5%, 1.23B → 1.2B
  for (const k of source) {
    const [sv, su] = k.split('|');
    if (su !== f.unit && !(f.unit === '%' && su === '' && f.value > 10)) continue;
    const s = Number(sv);
    const decimals = (String(f.value).split('.')[1] ?? '').length;
    if (s !== 0 && Math.abs(s - f.value) <= 0.5 * 10 ** -decimals && Math.abs(s - f.value) / Math.abs(s) < 0.05)
      return true;
  }
  return false;
}

/** The sentence around a position, for the report. */
export function sentenceAt(text: string, at: number): string {
  const stops = /[。！？!?\n]/;
  let a = at;
  while (a > 0 && !stops.test(text[a - 1]!)) a--;
  let b = at;
  while (b < text.length && !stops.test(text[b]!)) b++;
  return text
    .slice(a, Math.min(text.length, b + 1))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export interface Claim {
  claim: string;
  sentence: string;
}

/** The figures of the post that the source text does not state, each with its sentence. */
export function unsupportedFigures(post: string, source: string): Claim[] {
  const known = figuresInSource(source);
  const out: Claim[] = [];
  for (const f of figuresInChinese(post)) {
    if (supported(f, known)) continue;
    if (!out.some((c) => c.claim === f.text)) out.push({ claim: f.text, sentence: sentenceAt(post, f.at) });
  }
  return out;
}
