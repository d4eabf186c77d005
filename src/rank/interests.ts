/**
 * The reader's interests: a description, keywords, negative keywords, authors to follow, and example
 * papers (arXiv ids, or a BibTeX / Zotero CSL-JSON export). Checked before any request: a bad file is an
 * error naming the file and the line.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArxivRef } from '../arxiv/arxiv-id.js';
import { configError } from '../errors.js';

export interface InterestsConfig {
  description?: string;
  keywords?: string[];
  exclude?: string[];
  authors?: string[];
  /** arXiv ids, or paths of .bib / .json (CSL-JSON) files. */
  papers?: string[];
}

export interface ExamplePaper {
  title: string;
  abstract: string;
  /** Where it came from: an arXiv id, or file:line. */
  from: string;
}

export interface Interests {
  description: string;
  keywords: string[];
  exclude: string[];
  authors: string[];
  /** Example papers named by arXiv id: their text comes from arXiv. */
  ids: string[];
  /** Example papers read from files. */
  examples: ExamplePaper[];
}

const KEYS = ['description', 'keywords', 'exclude', 'authors', 'papers'];

export function validateInterests(v: unknown, where: string): InterestsConfig {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw configError(`${where}: "interests" must be an object`);
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    if (!KEYS.includes(k))
      throw configError(`${where}: unknown key ${JSON.stringify(`interests.${k}`)} (known: ${KEYS.join(', ')})`);
    const ok =
      k === 'description'
        ? typeof x === 'string'
        : Array.isArray(x) && x.every((s) => typeof s === 'string' && s.trim());
    if (!ok)
      throw configError(
        `${where}: "interests.${k}" must be ${k === 'description' ? 'a string' : 'a list of non-empty strings'}`,
      );
  }
  return o as InterestsConfig;
}

/** Reads the example files (relative to `baseDir`) and sorts out ids from files. */
export async function loadInterests(c: InterestsConfig, baseDir: string): Promise<Interests> {
  const ids: string[] = [];
  const examples: ExamplePaper[] = [];
  for (const entry of c.papers ?? []) {
    const ref = parseArxivRef(entry);
    if (ref.ok && !/\.(bib|json)$/i.test(entry)) {
      ids.push(ref.ref.id);
      continue;
    }
    const file = path.resolve(baseDir, entry);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw configError(
        `interests: ${entry}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}); expected an arXiv id, a .bib or a CSL-JSON .json file`,
      );
    }
    examples.push(...(/\.json$/i.test(file) ? fromCslJson(text, file) : fromBibtex(text, file)));
  }
  const low = (xs: string[] | undefined) => (xs ?? []).map((x) => x.trim()).filter(Boolean);
  return {
    description: c.description?.trim() ?? '',
    keywords: low(c.keywords),
    exclude: low(c.exclude),
    authors: low(c.authors),
    ids,
    examples,
  };
}

export const hasInterests = (i: Interests) =>
  Boolean(i.description || i.keywords.length || i.authors.length || i.ids.length || i.examples.length);

/** Zotero's CSL-JSON export: an array of items with title and abstract. */
export function fromCslJson(text: string, file: string): ExamplePaper[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)?.[1];
    const line = pos === undefined ? '' : `:${text.slice(0, Number(pos)).split('\n').length}`;
    throw configError(
      `${file}${line}: not valid JSON (${(err as Error).message}); expected a CSL-JSON export (an array of items)`,
    );
  }
  const items = Array.isArray(data) ? data : (data as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw configError(`${file}: expected a CSL-JSON export (an array of items)`);
  return items.flatMap((it, i) => {
    const o = (it ?? {}) as Record<string, unknown>;
    const title = typeof o['title'] === 'string' ? o['title'] : '';
    return title
      ? [{ title, abstract: typeof o['abstract'] === 'string' ? o['abstract'] : '', from: `${file} item ${i + 1}` }]
      : [];
  });
}

/**
 * BibTeX: entries `@type{key, field = {…} | "…" | number, …}`, braces nested. Written here because the
 * maintained parsers bring a LaTeX toolchain along; only title and abstract are read.
 */
export function fromBibtex(text: string, file: string): ExamplePaper[] {
  const out: ExamplePaper[] = [];
  const lineAt = (i: number) => text.slice(0, i).split('\n').length;
  const re = /@(\w+)\s*([{(])/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const type = m[1]!.toLowerCase();
    const start = m.index;
    const end = closing(text, re.lastIndex - 1);
    if (end < 0) throw configError(`${file}:${lineAt(start)}: @${m[1]} entry is not closed (a missing "}"?)`);
    re.lastIndex = end + 1;
    if (type === 'comment' || type === 'string' || type === 'preamble') continue;
    const open = start + m[0].length;
    const body = text.slice(open, end);
    const fields = bibFields(body, (i) => `${file}:${lineAt(open + i)}`);
    const title = fields['title'];
    if (title)
      out.push({
        title: unbrace(title),
        abstract: unbrace(fields['abstract'] ?? ''),
        from: `${file}:${lineAt(start)}`,
      });
  }
  if (out.length === 0 && /\S/.test(text)) throw configError(`${file}:1: no BibTeX entry with a title found`);
  return out;
}

function closing(text: string, open: number): number {
  const close = text[open] === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || (c === '(' && close === ')' && depth === 0)) depth++;
    else if (c === '}' || (c === ')' && close === ')' && depth === 1)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function bibFields(body: string, where: (i: number) => string): Record<string, string> {
  const fields: Record<string, string> = {};
  let i = body.indexOf(',') + 1; // after the key
  while (i > 0 && i < body.length) {
    const m = /^\s*([\w-]+)\s*=\s*/.exec(body.slice(i));
    if (!m) break;
    const name = m[1]!.toLowerCase();
    i += m[0].length;
    let value = '';
    if (body[i] === '{') {
      const end = closing(body, i);
      if (end < 0) throw configError(`${where(i)}: the value of ${name} is not closed (a missing "}"?)`);
      value = body.slice(i + 1, end);
      i = end + 1;
    } else if (body[i] === '"') {
      const end = body.indexOf('"', i + 1);
      if (end < 0) throw configError(`${where(i)}: the value of ${name} is not closed (a missing '"'?)`);
      value = body.slice(i + 1, end);
      i = end + 1;
    } else {
      const end = body.slice(i).search(/[,\n}]/);
      value = body.slice(i, end < 0 ? undefined : i + end).trim();
      i = end < 0 ? body.length : i + end;
    }
    fields[name] = value;
    const comma = body.slice(i).search(/\S/);
    if (comma < 0 || body[i + comma] !== ',') break;
    i += comma + 1;
  }
  return fields;
}

const unbrace = (s: string) => s.replace(/[{}]/g, '').replace(/\s+/g, ' ').trim();
