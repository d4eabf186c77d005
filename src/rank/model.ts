/**
 * --rank llm: the chat model scores each paper 0–10 against the reader's interests with a one-line
 * reason, many papers per call. Every call carries the same interests and the same scale (the `rank`
 * template's system part), so scores from different calls can be compared. Followed authors, keywords
 * and negative keywords work as in lexical; a paper no answer scored ranks after the scored ones.
 */
import type { Paper } from '../arxiv/paper.js';
import { answerText, clean, jsonItems, numberedLines, pick } from '../render/batch-answer.js';
import type { ExamplePaper, Interests } from './interests.js';
import { dropExcluded, order, rankLexical, type Ranking } from './lexical.js';

export interface ModelScore {
  /** 0–10 as the model gave it. */
  score: number;
  reason: string;
}

/** Scores papers against the interests as text (the pipeline asks the model, with the cache and the retries). */
export type ScorePapers = (papers: Paper[], interests: string) => Promise<Map<string, ModelScore>>;

const ID_KEYS = ['id', 'arxiv_id', 'arxiv', 'arxivid', '编号'];
const SCORE_KEYS = ['score', 'relevance', 'rating', '分数', '评分', '得分', '相关度'];
const REASON_KEYS = ['reason', 'why', 'explanation', 'rationale', 'comment', '理由', '原因', '说明'];

/** A score as models write it: 7, "7", "7/10", "7 分", "7.5"; anything outside 0–10 is clamped. */
function scoreOf(v: unknown): number | undefined {
  const m = /(-?\d+(?:\.\d+)?)\s*(\/\s*(10|100)\b)?/.exec(String(v ?? ''));
  if (!m) return undefined;
  const n = Number(m[1]) / (m[3] === '100' ? 10 : 1);
  return Math.min(10, Math.max(0, Math.round(n * 10) / 10));
}

/** One line of reason, without the quotes and list marks models add. */
function reasonOf(v: unknown): string {
  return clean(v)
    .replace(/^(理由|原因|reason)\s*[:：]\s*/i, '')
    .replace(/^[-–—:：,，\s]+/, '')
    .slice(0, 160);
}

export function parseScores(raw: string, ids: string[]): Map<string, ModelScore> {
  const text = answerText(raw);
  const found = new Map<string, ModelScore>();
  const put = (id: string | undefined, score: number | undefined, reason: string) => {
    if (id && score !== undefined && !found.has(id)) found.set(id, { score, reason });
  };
  for (const { id, fields } of jsonItems(text, ids, ID_KEYS))
    put(id, scoreOf(pick(fields, SCORE_KEYS)), reasonOf(pick(fields, REASON_KEYS)));
  if (found.size) return found;
  // numbered lines: "1. 8/10 — reason", "[2] arXiv:… 评分：7，reason", "3. 6 分｜reason"
  for (const { id, rest } of numberedLines(text, ids)) {
    const m = /^(?:(?:score|评分|分数|得分)\s*[:：]?\s*)?(\d+(?:\.\d+)?)\s*(?:\/\s*10|分)?\s*(.*)$/i.exec(
      rest.replace(/^[-–—:：|｜\s]+/, ''),
    );
    if (m) put(id, scoreOf(m[1]), reasonOf(m[2]!.replace(/^[|｜]\s*/, '')));
  }
  return found;
}

/** The reader's interests as the model reads them (the {{interests}} of a rank template). */
export function interestsText(interests: Interests, examples: ExamplePaper[]): string {
  const lines: string[] = [];
  if (interests.description) lines.push(`描述：${interests.description}`);
  if (interests.keywords.length) lines.push(`关键词：${interests.keywords.join('、')}`);
  if (interests.authors.length) lines.push(`关注的作者：${interests.authors.join('、')}`);
  if (examples.length) {
    lines.push('读者收藏的论文（标题）：');
    for (const e of examples.slice(0, 30)) lines.push(`- ${e.title.replace(/\s+/g, ' ')}`);
    if (examples.length > 30) lines.push(`- ……（共 ${examples.length} 篇）`);
  }
  return lines.join('\n');
}

export async function rankByModel(
  papers: Paper[],
  interests: Interests,
  examples: ExamplePaper[],
  score: ScorePapers,
  warn: (m: string) => void,
): Promise<Ranking> {
  const { kept, dropped } = dropExcluded(papers, interests);
  const scores = await score(kept, interestsText(interests, examples));
  if (kept.length && scores.size === 0) {
    warn(`--rank llm: the model scored none of the ${kept.length} paper(s); ranked lexically instead`);
    return rankLexical(papers, interests, examples);
  }
  return order(
    kept,
    interests,
    (i) => scores.get(kept[i]!.id)?.score ?? 0,
    (i) => {
      const s = scores.get(kept[i]!.id);
      return s ? s.reason || `the model's score ${s.score}/10` : 'not scored by the model';
    },
    dropped,
    10,
  );
}
