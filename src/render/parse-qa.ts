/**
 * Find the answers to a template's questions in whatever shape the model wrote them: `### 1. 问题`,
 * `## 问题` without a number, `**1. 问题**`, `1. **问题**`, `Q: … / A: …`, `Q1：`, `问题一：`,
 * `Question 1:`, a paraphrased question, JSON, with a preamble, a sign-off, reasoning or a fence around
 * it all. Question lines are matched by their text when it resembles a question, else by their number;
 * the chosen lines must follow the questions' order, so numbered lists and sub-headings inside an
 * answer are not taken for questions.
 */
import { similarity, smallNumber, stripClosing, unwrapAnswer } from './answer-text.js';

export interface QaPair {
  question: string;
  answer: string;
}

/** One answer per question, in order; undefined where the model's text has none. */
export interface ParsedQa {
  answers: Array<string | undefined>;
}

type Style = string; // e.g. "h3", "bold", "q", "list", "plain": question lines of one answer share one

interface Candidate {
  line: number;
  style: Style;
  num: number | undefined;
  label: string;
  /** Answer text on the question's own line, after it. */
  inline: string;
  /** Matching questions with their scores. */
  options: Array<{ q: number; score: number; byText: boolean }>;
}

const HIGH = 0.55; // the line is that question (maybe with a few words more or less)
const LOW = 0.3; // a paraphrase, taken when the line is shaped like a question line

/** Split a line into its markup (heading, list number, bold, Q-prefix), number and label. */
function readLine(raw: string): Omit<Candidate, 'line' | 'options'> | undefined {
  let s = raw.trim();
  if (!s || s.length > 300) return undefined;
  let style: Style = 'plain';
  let num: number | undefined;
  let inline = '';
  const h = /^(#{1,6})\s+(.*?)\s*#*$/.exec(s);
  if (h) {
    style = `h${h[1]!.length}`;
    s = h[2]!;
  }
  const list = /^(\d{1,2})[.、)）](?!\d)\s*(.*)$/.exec(s);
  if (list && style === 'plain') {
    style = 'list';
    num = Number(list[1]);
    s = list[2]!;
  }
  const bold = /^(\*\*|__)(.+?)\1\s*(.*)$/.exec(s);
  if (bold) {
    if (style === 'plain') style = 'bold';
    else if (style === 'list') style = 'list-bold';
    s = bold[2]!.trim();
    inline = bold[3]!.replace(/^[:：]\s*/, '');
    // "**Q1:** 问题" — the bold part was only the prefix
    if (/^(Q|问题|Question)\s*\S{0,3}\s*[:：.]?$/i.test(s) && inline) {
      s = `${s} ${inline}`;
      inline = '';
    }
  }
  const q = /^(?:Q|Question|问题|问)\s*(\d{1,2}|[一二三四五六七八九十]{1,3})?\s*[.、:：)）]\s*(.*)$/i.exec(s);
  if (q) {
    style = style === 'plain' || style === 'bold' ? 'q' : style;
    num = q[1] ? smallNumber(q[1]) : num;
    s = q[2]!;
  } else {
    const n = /^(?:第\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:个问题)?\s*[.、:：)）](?!\d)\s*(.*)$/.exec(s);
    if (n && (style !== 'plain' || /^[一二三四五六七八九十]/.test(s))) {
      num ??= smallNumber(n[1]!);
      s = n[2]!;
    }
  }
  s = s.replace(/^\*\*|\*\*$/g, '').trim();
  return { style, num, label: s, inline };
}

/** "Q1：问题？ A1：答案……" on one line: the answer starts after the question mark (unless it is another question). */
function splitInline(c: Omit<Candidate, 'line' | 'options'>, questions: string[]): void {
  if (c.inline || (c.style !== 'q' && c.style !== 'list')) return;
  const qm = /^([^？?]{2,80}[？?])\s*((?:(?:A|答|回答)\s*\d*\s*[:：])?\s*(.+))$/.exec(c.label);
  if (!qm || /^[）)]/.test(qm[3]!)) return;
  if (qm[2] === qm[3] && questions.some((q) => similarity(qm[3]!, q) >= HIGH)) return; // two questions on one line
  c.label = qm[1]!;
  c.inline = qm[2]!;
}

function candidates(lines: string[], questions: string[]): Candidate[] {
  const out: Candidate[] = [];
  let inFence = false;
  for (const [i, raw] of lines.entries()) {
    if (/^\s*(```|~~~)/.test(raw)) inFence = !inFence;
    if (inFence) continue;
    const r = readLine(raw);
    if (!r) continue;
    splitInline(r, questions);
    const options: Candidate['options'] = [];
    for (const [q, question] of questions.entries()) {
      const sim = similarity(r.label, question);
      const numOk = r.num === q + 1;
      const bonus = numOk ? 1 : 0;
      if (sim >= HIGH && (r.style !== 'plain' || r.label.length <= question.length * 1.6 + 8))
        options.push({ q, score: 3 + sim + bonus, byText: true });
      else if (sim >= LOW && r.style !== 'plain' && (numOk || r.num === undefined))
        options.push({ q, score: 2 + sim + bonus, byText: true });
      else if (numOk && r.style !== 'plain' && (r.style !== 'list' || (r.label.length <= 40 && !r.inline))) {
        // the number alone (an English or freely paraphrased question): only in a question-like shape
        options.push({ q, score: r.style === 'list' ? 0.8 : 1.5, byText: false });
      }
    }
    if (options.length) out.push({ line: i, ...r, options });
  }
  return out;
}

/** The highest-scoring choice of question lines whose questions come in increasing order. */
function choose(cands: Candidate[], n: number): Array<{ c: Candidate; q: number }> {
  // best[q]: the best chain so far whose last question is q
  let best: Array<{ score: number; chain: Array<{ c: Candidate; q: number }> } | undefined> = new Array(n).fill(
    undefined,
  );
  for (const c of cands) {
    const next = [...best];
    for (const o of c.options) {
      let prev: { score: number; chain: Array<{ c: Candidate; q: number }> } = { score: 0, chain: [] };
      for (let q = 0; q < o.q; q++) if (best[q] && best[q]!.score > prev.score) prev = best[q]!;
      const score = prev.score + o.score;
      if (!next[o.q] || score > next[o.q]!.score) next[o.q] = { score, chain: [...prev.chain, { c, q: o.q }] };
    }
    best = next;
  }
  return best.reduce<{ score: number; chain: Array<{ c: Candidate; q: number }> }>(
    (a, b) => (b && b.score > a.score ? b : a),
    { score: 0, chain: [] },
  ).chain;
}

/** Where the model answered in JSON: an array of answers or of {question, answer}, or {answers: […]}. */
function fromJson(text: string, questions: string[]): ParsedQa | undefined {
  if (!/^[[{]/.test(text)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>;
    const list = o['answers'] ?? o['qa'] ?? o['results'];
    if (Array.isArray(list)) data = list;
    else data = Object.entries(o).map(([question, answer]) => ({ question, answer }));
  }
  if (!Array.isArray(data)) return undefined;
  const answers: Array<string | undefined> = new Array(questions.length).fill(undefined);
  const str = (v: unknown) =>
    typeof v === 'string'
      ? v
      : Array.isArray(v)
        ? v
            .filter((x) => typeof x === 'string')
            .map((x) => `- ${x}`)
            .join('\n')
        : undefined;
  for (const [i, item] of data.entries()) {
    if (typeof item === 'string') {
      if (i < questions.length) answers[i] = item;
      continue;
    }
    if (!item || typeof item !== 'object') continue;
    const o = item as Record<string, unknown>;
    const answer = str(o['answer'] ?? o['a'] ?? o['回答'] ?? o['答案'] ?? o['content']);
    const question = str(o['question'] ?? o['q'] ?? o['问题']) ?? '';
    if (!answer) continue;
    const scored = questions.map((q, k) => ({ k, s: similarity(question, q) })).sort((a, b) => b.s - a.s)[0]!;
    const k = scored.s >= LOW ? scored.k : i;
    if (k < questions.length && answers[k] === undefined) answers[k] = answer;
  }
  return answers.some(Boolean) ? { answers: answers.map((a) => a?.trim() || undefined) } : undefined;
}

/** Remove the "A:" / "答：" that starts an answer and a rule or sign-off that ends it. */
function cleanAnswer(s: string, last: boolean): string {
  let t = dedent(s)
    .trim()
    .replace(/^(?:\*\*)?(?:A|答|回答|Answer)\s*\d*\s*[:：](?:\*\*)?\s*/i, '');
  t = t.replace(/(\n\s*([-*_])(\s*\2){2,}\s*)+$/, '').trim();
  return last ? stripClosing(t) : t;
}

/** Answers indented under a list item ("1. **问题**\n   答……") lose the indent, which 4 spaces would make code. */
function dedent(s: string): string {
  const lines = s.replace(/^\n+/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const n = Math.min(...indents);
  return n > 0 && Number.isFinite(n)
    ? lines.map((l) => l.slice(Math.min(n, /^[ \t]*/.exec(l)![0].length))).join('\n')
    : s;
}

export function parseQa(raw: string, questions: string[]): ParsedQa {
  const { text } = unwrapAnswer(raw);
  const json = fromJson(text, questions);
  if (json) return json;
  const lines = text.split('\n');
  const all = candidates(lines, questions);
  let chain = choose(all, questions.length);
  // question lines of one answer share a shape: once lines matched by their text agree on it, a line
  // matched only by its number must have it too (so "4. **数据集**" inside an answer is not question 4)
  const styles = new Set(chain.filter((x) => x.c.options.find((o) => o.q === x.q)?.byText).map((x) => x.c.style));
  if (styles.size) {
    const kept = all
      .map((c) => ({ ...c, options: c.options.filter((o) => o.byText || styles.has(c.style)) }))
      .filter((c) => c.options.length);
    chain = choose(kept, questions.length);
  }
  const answers: Array<string | undefined> = new Array(questions.length).fill(undefined);
  for (const [k, { c, q }] of chain.entries()) {
    const end = chain[k + 1]?.c.line ?? lines.length;
    const body = [c.inline, ...lines.slice(c.line + 1, end)].join('\n');
    const answer = cleanAnswer(body, k === chain.length - 1);
    if (answer) answers[q] = answer;
  }
  return { answers };
}

/**
 * A reply to one question: the question echoed as its first line (a heading, bold or `Q:`), an `A:`
 * and a sign-off removed. A reply that is only the echo stays as it was.
 */
export function cleanSingleAnswer(raw: string, question: string): string {
  const { text } = unwrapAnswer(raw);
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim());
  let body = text;
  if (first !== -1) {
    const r = readLine(lines[first]!);
    if (r && r.style !== 'plain' && similarity(r.label, question) >= LOW)
      body = [r.inline, ...lines.slice(first + 1)].join('\n');
  }
  return cleanAnswer(body, true) || text.trim();
}
