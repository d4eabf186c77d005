/**
 * The glossary: English term → the Chinese rendering posts use (and the Taiwan / Hong Kong one where it
 * is another word), with the other renderings seen in the wild. The built-in file sits beside the
 * prompts; the user's file (config "glossary") extends it and wins by English term.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, YAMLParseError } from 'yaml';
import { usageError } from '../errors.js';

export type Lang = 'zh-CN' | 'zh-TW' | 'zh-HK';
export const LANGS: readonly Lang[] = ['zh-CN', 'zh-TW', 'zh-HK'];

export interface Term {
  en: string;
  zh: string;
  tw?: string;
  hk?: string;
  /** Other renderings: using one instead of zh (or next to it) is reported. */
  variants: string[];
  /** Finds the English term in a paper's text (case, plural, hyphen or space). */
  re: RegExp;
}

export const BUILTIN_GLOSSARY = fileURLToPath(new URL('../../prompts/glossary.yaml', import.meta.url));

function termRegex(en: string): RegExp {
  const words = en
    .trim()
    .split(/[\s-]+/)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const last = words.pop()!;
  const body = [...words, `${last}(?:s|es)?`].join('[\\s-]+');
  // an acronym-like term (KV cache, LLM-as-a-judge) keeps its capitals; a phrase matches in any case
  return new RegExp(`(?<![A-Za-z0-9])${body}(?![A-Za-z0-9])`, /[A-Z]{2}/.test(en) ? '' : 'i');
}

/** One file's entries; exit 2 naming the file (and line) for anything that is not an entry. */
export function parseGlossary(raw: string, file: string): Map<string, Term | null> {
  let data: unknown;
  try {
    data = parse(raw);
  } catch (err) {
    const line = err instanceof YAMLParseError ? err.linePos?.[0]?.line : undefined;
    throw usageError(
      `glossary ${file}${line ? `:${line}` : ''}: not valid YAML (${(err as Error).message.split('\n')[0]})`,
    );
  }
  if (data === null || data === undefined) return new Map();
  if (typeof data !== 'object' || Array.isArray(data))
    throw usageError(`glossary ${file}: expected lines of "English term: 中文译法"`);
  const lines = raw.split('\n');
  const lineOf = (key: string) => {
    const i = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`"${key}":`));
    return i === -1 ? '' : `:${i + 1}`;
  };
  const out = new Map<string, Term | null>();
  for (const [en, v] of Object.entries(data as Record<string, unknown>)) {
    const bad = (what: string) =>
      usageError(
        `glossary ${file}${lineOf(en)}: "${en}": ${what} (expected "${en}: 中文译法" or "${en}: { zh: 译法, tw: 譯法, variants: [其他译法] }")`,
      );
    if (!/[A-Za-z]/.test(en)) throw bad('the key must be the English term');
    if (v === null) {
      out.set(en.toLowerCase(), null);
      continue;
    }
    const entry = typeof v === 'string' ? { zh: v } : v;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw bad('not a rendering');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e))
      if (!['zh', 'tw', 'hk', 'variants'].includes(k)) throw bad(`unknown field "${k}" (known: zh, tw, hk, variants)`);
    const text = (k: string) => {
      const x = e[k];
      if (x === undefined) return undefined;
      if (typeof x !== 'string' || !/[\u3400-\u9fff]/.test(x)) throw bad(`${k} must be Chinese text`);
      return x.trim();
    };
    const zh = text('zh');
    if (!zh) throw bad('zh is missing');
    const variants = e['variants'] ?? [];
    if (!Array.isArray(variants) || !variants.every((x) => typeof x === 'string' && x.trim()))
      throw bad('variants must be a list of renderings');
    const tw = text('tw');
    const hk = text('hk');
    out.set(en.toLowerCase(), {
      en,
      zh,
      ...(tw ? { tw } : {}),
      ...(hk ? { hk } : {}),
      variants: (variants as string[]).map((x) => x.trim()),
      re: termRegex(en),
    });
  }
  return out;
}

const loaded = new Map<string, Term[]>();

/** The built-in entries with the user's file over them (read once per process). */
export function loadGlossary(userFile: string | undefined): Term[] {
  const key = userFile ?? '';
  const hit = loaded.get(key);
  if (hit) return hit;
  const merged = parseGlossary(readFileSync(BUILTIN_GLOSSARY, 'utf8'), BUILTIN_GLOSSARY);
  if (userFile) {
    let raw: string;
    try {
      raw = readFileSync(userFile, 'utf8');
    } catch (err) {
      throw usageError(`glossary ${userFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    for (const [k, v] of parseGlossary(raw, userFile)) merged.set(k, v);
  }
  const terms = [...merged.values()].filter((t): t is Term => t !== null);
  loaded.set(key, terms);
  return terms;
}

/** How the term is written in that variant (before the character conversion). */
export function rendering(t: Term, lang: Lang): string {
  return (lang === 'zh-TW' ? t.tw : lang === 'zh-HK' ? (t.hk ?? t.tw) : undefined) ?? t.zh;
}

/**
 * The entries whose English term occurs in the paper, most specific first (a term inside a longer one
 * that also occurs is left out: "fine-tuning" under "supervised fine-tuning"), at most `max`.
 */
export function termsIn(text: string, terms: Term[], max = 24): Term[] {
  // a term's first word must be in the text before its pattern is worth trying (most of ~360 are not)
  const lower = text.toLowerCase();
  const found = terms
    .filter((t) => lower.includes(firstWord(t)) && t.re.test(text))
    .sort((a, b) => b.en.length - a.en.length);
  const kept: Term[] = [];
  for (const t of found) {
    if (kept.some((k) => t.re.test(k.en))) continue;
    kept.push(t);
    if (kept.length >= max) break;
  }
  return kept;
}

const firstWords = new WeakMap<Term, string>();
function firstWord(t: Term): string {
  let w = firstWords.get(t);
  if (w === undefined) {
    w = t.en
      .trim()
      .split(/[\s-]+/)[0]!
      .toLowerCase();
    firstWords.set(t, w);
  }
  return w;
}

/** The short list that goes into the prompt after the paper. */
export function glossaryBlock(terms: Term[], lang: Lang): string {
  if (!terms.length) return '';
  return [
    '术语译法（文中出现这些术语时请统一使用以下译法，首次出现可在括号中附英文）：',
    ...terms.map((t) => `- ${t.en}：${rendering(t, lang)}`),
  ].join('\n');
}
