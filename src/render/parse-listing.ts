/**
 * A listing answer: each paper's Chinese title and one-sentence summary, found by its arXiv id, else by its
 * number in the batch, whether the model sent the JSON asked for (fenced or not, an array or an object
 * keyed by id, with its own key names) or numbered lines.
 */
import { stripThink } from '../llm/text-checks.js';

export interface Listed {
  titleZh: string;
  summary: string;
}

const CJK = /[\u3400-\u9fff]/;
const TITLE_KEYS = ['title_zh', 'titlezh', 'chinese_title', 'zh_title', '中文标题', '标题', 'title'];
const SUMMARY_KEYS = ['summary', 'summary_zh', '一句话摘要', '摘要', '中文摘要', 'abstract_zh', 'tldr'];
const ID_KEYS = ['id', 'arxiv_id', 'arxiv', 'arxivid', '编号'];

export function parseListing(raw: string, ids: string[]): Map<string, Listed> {
  const text = stripThink(raw.replace(/\r\n?/g, '\n')).trim();
  const found = new Map<string, Listed>();
  const put = (key: string | number | undefined, title: unknown, summary: unknown) => {
    const id = typeof key === 'number' ? ids[key - 1] : key && ids.find((x) => String(key).includes(x));
    const t = clean(title);
    const s = clean(summary);
    if (id && !found.has(id) && CJK.test(t) && s) found.set(id, { titleZh: t, summary: s });
  };
  for (const data of jsonValues(text)) {
    const items = Array.isArray(data)
      ? data.map((v, i) => [undefined, v, i + 1] as const)
      : Object.entries(data as Record<string, unknown>).map(([k, v], i) => [k, v, i + 1] as const);
    for (const [key, value, n] of items) {
      if (!value || typeof value !== 'object') continue;
      const o = lowerKeys(value as Record<string, unknown>);
      const id = pick(o, ID_KEYS) ?? key;
      put(
        id !== undefined && ids.some((x) => String(id).includes(x)) ? String(id) : n,
        pick(o, TITLE_KEYS),
        pick(o, SUMMARY_KEYS),
      );
    }
  }
  if (found.size) return found;
  // numbered lines: "1. 中文标题｜一句话" or "[1] 中文标题：一句话", or a title line then a 摘要 line
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const m = /^\s*(?:[-*]\s*)?(?:\[(\d+)\]|(\d+)[.、)）])\s*(.+)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1] ?? m[2]);
    const rest = m[3]!
      .replace(/\*\*/g, '')
      .replace(/arXiv:\s*\S+\s*/i, '')
      .trim();
    const id = ids.find((x) => line.includes(x)) ?? n;
    const split = /^(.+?)\s*(?:[｜|]|—{1,2}|\s[-–]\s)\s*(.+)$/.exec(rest);
    if (split) put(id, split[1]!.replace(/^(中文)?标题[:：]\s*/, ''), split[2]!.replace(/^(一句话)?摘要[:：]\s*/, ''));
    else {
      const next = lines[i + 1] ?? '';
      const summary = /^\s*(?:[-*]\s*)?(?:一句话)?摘要[:：]\s*(.+)$/.exec(next)?.[1];
      put(id, rest.replace(/^(中文)?标题[:：]\s*/, ''), summary);
    }
  }
  return found;
}

/** JSON arrays or objects in the text: the whole text, a fenced block, or the outermost brackets. */
function jsonValues(text: string): unknown[] {
  const candidates = [
    text,
    ...[...text.matchAll(/```[a-z]*\n([\s\S]*?)\n```/gi)].map((m) => m[1]!),
    text.slice(text.indexOf('['), text.lastIndexOf(']') + 1),
    text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1),
  ];
  for (const c of candidates) {
    if (!c || !/^[[{]/.test(c.trim())) continue;
    try {
      const v: unknown = JSON.parse(c);
      if (v && typeof v === 'object') {
        // {"papers": [...]} and the like
        const inner = !Array.isArray(v) ? Object.values(v).find((x) => Array.isArray(x)) : undefined;
        return [inner ?? v];
      }
    } catch {
      // not JSON; try the next candidate
    }
  }
  return [];
}

function lowerKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase().replace(/[\s-]/g, '_'), v]));
}

function pick(o: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  return undefined;
}

function clean(v: unknown): string {
  return typeof v === 'string'
    ? v
        .replace(/\s+/g, ' ')
        .replace(/^["“]|["”]$/g, '')
        .trim()
        .slice(0, 300)
    : '';
}
