/**
 * A listing answer: each paper's Chinese title and one-sentence summary, found by its arXiv id, else by its
 * number in the batch, whether the model sent the JSON asked for (fenced or not, an array or an object
 * keyed by id, with its own key names) or numbered lines.
 */
import { answerText, clean, jsonItems, numberedLines, pick } from './batch-answer.js';

export interface Listed {
  titleZh: string;
  summary: string;
}

const CJK = /[\u3400-\u9fff]/;
const TITLE_KEYS = ['title_zh', 'titlezh', 'chinese_title', 'zh_title', '中文标题', '标题', 'title'];
const SUMMARY_KEYS = ['summary', 'summary_zh', '一句话摘要', '摘要', '中文摘要', 'abstract_zh', 'tldr'];
const ID_KEYS = ['id', 'arxiv_id', 'arxiv', 'arxivid', '编号'];

export function parseListing(raw: string, ids: string[]): Map<string, Listed> {
  const text = answerText(raw);
  const found = new Map<string, Listed>();
  const put = (id: string | undefined, title: unknown, summary: unknown) => {
    const t = clean(title);
    const s = clean(summary);
    if (id && !found.has(id) && CJK.test(t) && s) found.set(id, { titleZh: t, summary: s });
  };
  for (const { id, fields } of jsonItems(text, ids, ID_KEYS))
    put(id, pick(fields, TITLE_KEYS), pick(fields, SUMMARY_KEYS));
  if (found.size) return found;
  // numbered lines: "1. 中文标题｜一句话" or "[1] 中文标题：一句话", or a title line then a 摘要 line
  for (const { id, rest, next } of numberedLines(text, ids)) {
    const split = /^(.+?)\s*(?:[｜|]|—{1,2}|\s[-–]\s)\s*(.+)$/.exec(rest);
    if (split) put(id, split[1]!.replace(/^(中文)?标题[:：]\s*/, ''), split[2]!.replace(/^(一句话)?摘要[:：]\s*/, ''));
    else {
      const summary = /^\s*(?:[-*]\s*)?(?:一句话)?摘要[:：]\s*(.+)$/.exec(next)?.[1];
      put(id, rest.replace(/^(中文)?标题[:：]\s*/, ''), summary);
    }
  }
  return found;
}
