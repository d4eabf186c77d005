/**
 * Prompt templates: one Markdown file per kind in prompts/ (or a --prompts dir, which wins by name).
 * YAML front matter holds settings; `<!-- system -->` and `<!-- user -->` mark the two messages.
 * Rendering is strict: an unknown or missing variable is an error naming it.
 */
import { own } from '../own.js';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { DigestError } from '../errors.js';

export type TemplateKind = 'post' | 'qa' | 'section' | 'overview' | 'listing' | 'rank';

export interface Template {
  name: string;
  file: string;
  builtin: boolean;
  description: string;
  kind: TemplateKind;
  heading: string;
  temperature: number | undefined;
  maxTokens: number | undefined;
  questions: string[];
  requireChinese: boolean;
  /** The text this template wants, when it says (--source and the config file can override). */
  source: 'full' | 'abstract' | undefined;
  /** qa: one question per request in one conversation, or all in one request (default: by source). */
  mode: 'one-by-one' | 'all-at-once' | undefined;
  /** The answer body's range of Chinese characters (`length: 800-2500`); checked, and re-asked when outside. */
  length?: [number, number];
  system: string;
  /** The first user message: the paper (and, for most kinds, the task after it). */
  user: string;
  /** qa: the message asking all questions at once (appended to the paper message). */
  askAll: string;
  /** qa: the message asking one question ({{number}}, {{question}}). */
  askOne: string;
  /** post: appended to the user message when the paper has a key figure ({{figure_caption}}). */
  figure: string;
  /** post: the follow-up that asks for a title when the answer has none (a built-in text when empty). */
  askTitle: string;
  /** sha256 of the file, first 12 hex digits: changes whenever the prompt does. */
  hash: string;
  raw: string;
}

/** Every variable a template may use. */
export const TEMPLATE_VARIABLES: Record<string, string> = {
  id: 'arXiv id without version (2404.16418)',
  version: 'version number (1)',
  arxiv_id: 'id with version (2404.16418v1)',
  title: 'English title, LaTeX made readable',
  title_raw: 'English title as arXiv sent it',
  authors: 'authors, comma separated',
  first_author: 'first author',
  affiliations: 'affiliations when arXiv lists them, else empty',
  abstract: 'abstract, LaTeX made readable, math kept as $…$',
  published: 'first submission date (YYYY-MM-DD)',
  updated: 'date of this version (YYYY-MM-DD)',
  primary_category: 'primary category (cs.CL)',
  categories: 'all categories, comma separated',
  comment: "authors' comment (pages, venue), may be empty",
  journal_ref: 'journal reference, may be empty',
  doi: 'DOI, may be empty',
  abs_url: 'arXiv abstract page',
  pdf_url: 'arXiv PDF',
  papers_cool_url: 'papers.cool page',
  source: 'which text the model gets: html, ar5iv, pdf or abstract',
  source_text: 'the paper text the model works from: the full text (fitted to the token budget) or the abstract',
  questions: 'the numbered question list (qa templates only)',
  question: 'the question being asked (qa ask-one part only)',
  number: 'its number, from 1 (qa ask-one part only)',
  figure_caption: "the key figure's caption in English (figure part only)",
  date: 'the announcement date (overview templates only)',
  paper_list: "the day's papers, numbered: Chinese title and one-line summary (overview templates only)",
  papers:
    'a batch of papers, each as [n] arXiv:id, 标题：English title, 摘要：abstract (listing and rank templates only)',
  interests:
    "the reader's interests: description, keywords, authors followed, example paper titles (rank templates only)",
};

type Part = 'system' | 'user' | 'ask-all' | 'ask-one' | 'figure' | 'ask-title';

// the table lists the paper's own variables first, up to source_text
const PAPER_VARIABLES = Object.keys(TEMPLATE_VARIABLES).slice(
  0,
  Object.keys(TEMPLATE_VARIABLES).indexOf('source_text') + 1,
);

/**
 * The variables a part of a template of that kind is given when it is rendered: what parseTemplate checks,
 * so that a variable with no value there stops the run before any request instead of failing each paper.
 */
function variablesOf(kind: TemplateKind, part: Part, hasQuestions: boolean): Set<string> {
  if (kind === 'overview') return new Set(['date', 'categories', 'paper_list']);
  if (kind === 'listing') return new Set(['papers']);
  if (kind === 'rank') return new Set(['papers', 'interests']);
  const vars = new Set(PAPER_VARIABLES);
  if (hasQuestions) vars.add('questions');
  if (part === 'ask-one') for (const v of ['question', 'number']) vars.add(v);
  if (part === 'figure') vars.add('figure_caption');
  return vars;
}

const BUILTIN_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** `length: 800-2500` (or [800, 2500]): the range of Chinese characters of the answer's body. */
function parseLength(v: unknown, file: string): [number, number] | undefined {
  if (v === undefined) return undefined;
  const pair = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/\s*[-–~]\s*/).map(Number) : [];
  const [min, max] = pair as number[];
  if (pair.length !== 2 || !Number.isInteger(min) || !Number.isInteger(max) || min! < 0 || max! < min!)
    throw templateError(file, `length must be a range of Chinese characters like 800-2500, not ${JSON.stringify(v)}`);
  return [min!, max!];
}

function templateError(file: string, msg: string): DigestError {
  return new DigestError('template', `template ${file}: ${msg}`);
}

export function parseTemplate(raw: string, file: string, builtin: boolean): Template {
  const name = path.basename(file, '.md');
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(raw);
  if (!fm) throw templateError(file, 'must start with YAML front matter between --- lines');
  let meta: unknown;
  try {
    meta = parseYaml(fm[1]!);
  } catch (err) {
    throw templateError(file, `front matter is not valid YAML (${(err as Error).message.split(/\r?\n|\r/)[0]})`);
  }
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    throw templateError(file, 'front matter must be a YAML mapping');
  const m = meta as Record<string, unknown>;
  const known = [
    'description',
    'kind',
    'heading',
    'temperature',
    'max_tokens',
    'questions',
    'chinese',
    'source',
    'mode',
    'length',
  ];
  for (const k of Object.keys(m)) {
    if (!known.includes(k))
      throw templateError(file, `unknown setting ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }
  const kind = (m['kind'] ?? 'section') as TemplateKind;
  if (!['post', 'qa', 'section', 'overview', 'listing', 'rank'].includes(kind))
    throw templateError(
      file,
      `kind must be post, qa, section, overview, listing or rank, not ${JSON.stringify(String(m['kind']))}`,
    );
  const temperature = m['temperature'];
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    throw templateError(file, 'temperature must be a number from 0 to 2');
  }
  const maxTokens = m['max_tokens'];
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1)) {
    throw templateError(file, 'max_tokens must be a positive whole number');
  }
  const questions = m['questions'] ?? [];
  if (!Array.isArray(questions) || !questions.every((q) => typeof q === 'string' && q.trim())) {
    throw templateError(file, 'questions must be a list of non-empty strings');
  }
  if (kind === 'qa' && questions.length === 0) throw templateError(file, 'a qa template needs a questions list');
  const source = m['source'];
  if (source !== undefined && source !== 'full' && source !== 'abstract')
    throw templateError(file, `source must be full or abstract, not ${JSON.stringify(source)}`);
  const mode = m['mode'];
  if (mode !== undefined && mode !== 'one-by-one' && mode !== 'all-at-once')
    throw templateError(file, `mode must be one-by-one or all-at-once, not ${JSON.stringify(mode)}`);
  const length = parseLength(m['length'], file);
  const parts = splitParts(fm[2]!);
  if (parts.user === undefined)
    throw templateError(
      file,
      'needs a <!-- user --> part (and optionally <!-- system -->, <!-- ask-all -->, <!-- ask-one -->, <!-- figure -->, <!-- ask-title -->)',
    );
  const system = parts.system ?? '';
  const user = parts.user;
  const askAll = parts['ask-all'] ?? '';
  const askOne = parts['ask-one'] ?? '';
  const figure = parts.figure ?? '';
  const askTitle = parts['ask-title'] ?? '';
  if (kind === 'qa' && !askAll && !/\{\{\s*questions\s*\}\}/.test(user))
    throw templateError(file, 'a qa template needs an <!-- ask-all --> part or {{questions}} in its user part');
  if (mode === 'one-by-one' && !askOne) throw templateError(file, 'mode one-by-one needs an <!-- ask-one --> part');
  const allText = [system, user, askAll, askOne, figure, askTitle].join('\n');
  const unknown = [...new Set([...allText.matchAll(PLACEHOLDER)].map((x) => x[1]!))].filter(
    (v) => !Object.hasOwn(TEMPLATE_VARIABLES, v),
  );
  if (unknown.length) {
    throw templateError(
      file,
      `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{{${u}}}`).join(', ')} (known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')})`,
    );
  }
  const partTexts: Array<[Part, string]> = [
    ['system', system],
    ['user', user],
    ['ask-all', askAll],
    ['ask-one', askOne],
    ['figure', figure],
    ['ask-title', askTitle],
  ];
  for (const [part, body] of partTexts) {
    const allowed = variablesOf(kind, part, questions.length > 0);
    const misplaced = [...body.matchAll(PLACEHOLDER)].map((x) => x[1]!).find((v) => !allowed.has(v));
    if (misplaced)
      throw templateError(
        file,
        `{{${misplaced}}} has no value in the ${part} part of a ${kind} template (${TEMPLATE_VARIABLES[misplaced]})`,
      );
  }
  const malformed = /\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})[^}\n]{0,40}/.exec(allText);
  if (malformed) throw templateError(file, `malformed placeholder ${JSON.stringify(malformed[0])} (write {{name}})`);
  return {
    name,
    file,
    builtin,
    description: typeof m['description'] === 'string' ? m['description'] : '',
    kind,
    heading:
      typeof m['heading'] === 'string' ? m['heading'] : kind === 'post' ? '解读' : kind === 'qa' ? '论文问答' : name,
    temperature: temperature as number | undefined,
    maxTokens: maxTokens as number | undefined,
    questions: questions as string[],
    requireChinese: m['chinese'] !== false,
    source: source as Template['source'],
    mode: mode as Template['mode'],
    ...(length ? { length } : {}),
    system,
    user,
    askAll,
    askOne,
    figure,
    askTitle,
    hash: createHash('sha256').update(raw).digest('hex').slice(0, 12),
    raw,
  };
}

const PART = /<!--\s*(system|user|ask-all|ask-one|figure|ask-title)\s*-->/g;

function splitParts(
  body: string,
): Partial<Record<'system' | 'user' | 'ask-all' | 'ask-one' | 'figure' | 'ask-title', string>> {
  const out: Record<string, string> = {};
  const marks = [...body.matchAll(PART)];
  marks.forEach((mk, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.index : body.length;
    out[mk[1]!] = body.slice(mk.index + mk[0].length, end).trim();
  });
  return out;
}

/** Render one message: single pass, inserted values are never expanded again. */
export function renderString(tpl: string, vars: Record<string, string | undefined>, where: string): string {
  const missing = new Set<string>();
  const out = tpl.replace(PLACEHOLDER, (_, name: string) => {
    const v = own(vars, name);
    if (v === undefined) {
      missing.add(name);
      return '';
    }
    return v;
  });
  if (missing.size)
    throw new DigestError(
      'template',
      `template ${where}: no value for ${[...missing].map((n) => `{{${n}}}`).join(', ')}`,
    );
  return out;
}

/** Paper text is untrusted: it may not close the fence the templates put around it. */
export function fenceSafe(s: string): string {
  return s.replace(/<\/?\s*papers?[^>]*>/gi, '');
}

export interface TemplateSet {
  dirs: string[];
  list(): Promise<Template[]>;
  get(name: string): Promise<Template>;
}

export function templateSet(overrideDir: string | undefined): TemplateSet {
  const dirs = overrideDir ? [path.resolve(overrideDir), BUILTIN_DIR] : [BUILTIN_DIR];
  const cache = new Map<string, Promise<Template>>();
  const load = (file: string, builtin: boolean) => {
    let p = cache.get(file);
    if (!p) {
      p = readFile(file, 'utf8').then((raw) => parseTemplate(raw, file, builtin));
      cache.set(file, p);
    }
    return p;
  };
  const names = async () => {
    const found = new Map<string, { file: string; builtin: boolean }>();
    for (const dir of dirs) {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch (err) {
        if (dir !== BUILTIN_DIR)
          throw new DigestError(
            'usage',
            `--prompts ${dir}: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          );
        entries = [];
      }
      for (const f of entries.sort()) {
        if (!f.endsWith('.md') || f.toLowerCase() === 'readme.md') continue;
        const name = f.slice(0, -3);
        if (!found.has(name)) found.set(name, { file: path.join(dir, f), builtin: dir === BUILTIN_DIR });
      }
    }
    return found;
  };
  return {
    dirs,
    async list() {
      const all = await names();
      return Promise.all([...all.values()].map((x) => load(x.file, x.builtin)));
    },
    async get(name: string) {
      const all = await names();
      const hit = all.get(name);
      if (!hit)
        throw new DigestError('usage', `no template named "${name}" (available: ${[...all.keys()].join(', ')})`);
      return load(hit.file, hit.builtin);
    },
  };
}
