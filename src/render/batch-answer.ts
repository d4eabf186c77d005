/**
 * Answers about a batch of papers (the listing, the model's ranking): the items the model sent, found by
 * arXiv id, else by their number in the batch, whether they came as the JSON asked for (fenced or not, an
 * array or an object keyed by id, with its own key names) or as numbered lines.
 */
import { stripThink } from '../llm/text-checks.js';

export interface Item {
  /** The paper it is about: by id when the item names one of the batch's ids, else by position. */
  id: string | undefined;
  /** The item's fields, keys lower-cased with spaces and dashes as _. */
  fields: Record<string, unknown>;
}

export function answerText(raw: string): string {
  return stripThink(raw.replace(/\r\n?/g, '\n')).trim();
}

/** The JSON items of an answer, each matched to a paper of the batch. */
export function jsonItems(text: string, ids: string[], idKeys: string[]): Item[] {
  const out: Item[] = [];
  for (const data of jsonValues(text)) {
    const items = Array.isArray(data)
      ? data.map((v, i) => [undefined, v, i + 1] as const)
      : Object.entries(data as Record<string, unknown>).map(([k, v], i) => [k, v, i + 1] as const);
    for (const [key, value, n] of items) {
      if (!value || typeof value !== 'object') continue;
      const fields = lowerKeys(value as Record<string, unknown>);
      const named = pick(fields, idKeys) ?? key;
      const id = named !== undefined ? ids.find((x) => String(named).includes(x)) : undefined;
      out.push({ id: id ?? ids[n - 1], fields });
    }
  }
  return out;
}

/** Numbered lines ("1. …", "[1] …", "- [1] …"): the paper each is about, its text, and the line after it. */
export function numberedLines(
  text: string,
  ids: string[],
): Array<{ id: string | undefined; rest: string; next: string }> {
  const lines = text.split('\n');
  const out = [];
  for (const [i, line] of lines.entries()) {
    const m = /^\s*(?:[-*]\s*)?(?:\[(\d+)\]|(\d+)[.、)）])\s*(.+)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1] ?? m[2]);
    const rest = m[3]!
      .replace(/\*\*/g, '')
      .replace(/arXiv:\s*\S+\s*/i, '')
      .trim();
    out.push({ id: ids.find((x) => line.includes(x)) ?? ids[n - 1], rest, next: lines[i + 1] ?? '' });
  }
  return out;
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

export function pick(o: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof o[k] === 'string' || typeof o[k] === 'number') return String(o[k]);
  return undefined;
}

export function clean(v: unknown): string {
  return typeof v === 'string'
    ? v
        .replace(/\s+/g, ' ')
        .replace(/^["“]|["”]$/g, '')
        .trim()
        .slice(0, 300)
    : '';
}
