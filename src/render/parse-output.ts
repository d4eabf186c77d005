/** Turn the model's raw answers into structured parts, or say why they do not fit. */
import { demoteHeadings, flattenHeadings, sanitizeModelMarkdown } from './sanitize.js';

export interface ParsedPost {
  titleZh: string;
  /** The 2–3 sentence lede (a leading > block), or '' when the answer has none. */
  lede: string;
  /** The translated caption of the key figure (a last line "图注：…"), or ''. */
  figureCaption: string;
  body: string;
}

export function parsePost(text: string): ParsedPost {
  const lines = text.replace(/\r\n?/g, '\n').trim().split('\n');
  let titleZh = '';
  const idx = lines.findIndex((l) => l.trim() !== '');
  if (idx !== -1) {
    const first = lines[idx]!.trim();
    const h1 = /^#{1,2}\s+(.+?)\s*#*$/.exec(first);
    if (h1) {
      titleZh = h1[1]!;
      lines.splice(idx, 1);
    } else if (first.length <= 60 && !/[。！？.!?]$/.test(first)) {
      titleZh = first;
      lines.splice(idx, 1);
    }
  }
  titleZh = titleZh.replace(/^(标题|题目)\s*[:：]\s*/, '').replace(/\*\*|__|[`《》]/g, '').replace(/[<>]/g, '').trim();
  let figureCaption = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^\s*(?:\*\*)?图注(?:\*\*)?\s*[:：]\s*(.+?)\s*$/.exec(lines[i]!);
    if (m) {
      figureCaption = m[1]!.replace(/[<>*`]/g, '');
      lines.splice(i, 1);
      break;
    }
    if (lines[i]!.trim()) break;
  }
  const body = demoteHeadings(sanitizeModelMarkdown(lines.join('\n')));
  const lede = /^((?:>[^\n]*\n?)+)/.exec(body)?.[1] ?? '';
  return { titleZh, lede: lede.replace(/^>\s?/gm, '').replace(/\s*\n\s*/g, '').trim(), figureCaption, body };
}

export interface QaPair {
  question: string;
  answer: string;
}

const Q_HEADING = /^\s{0,3}(?:#{1,6}\s*|\*\*\s*)(?:Q|问题|问)?\s*(\d{1,2})\s*[.、:：)）]/;

/** Split an all-at-once answer into one answer per question; undefined when it does not fit. */
export function parseQa(text: string, questions: string[]): QaPair[] | undefined {
  const answers = new Map<number, string[]>();
  let current: number | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = Q_HEADING.exec(line);
    if (m) {
      const n = Number(m[1]);
      if (n >= 1 && n <= questions.length && !answers.has(n)) {
        current = n;
        answers.set(n, []);
        continue;
      }
    }
    if (current !== undefined) answers.get(current)!.push(line);
  }
  if (answers.size !== questions.length) return undefined;
  const pairs = questions.map((q, i) => ({ question: q, answer: flattenHeadings(sanitizeModelMarkdown(answers.get(i + 1)!.join('\n'))) }));
  return pairs.every((p) => p.answer.trim()) ? pairs : undefined;
}

export function qaProblem(text: string, questions: string[]): string | undefined {
  return parseQa(text, questions) ? undefined : `not one answer per question (expected ${questions.length} headed answers)`;
}
