/**
 * A post as it is on disk (after hand edits, say) run through every check the writing went through:
 * front matter for the blog engine, Markdown that renders, Chinese throughout in one script, the Q&A
 * complete, figures and names against the text each template was given, terms, links.
 */
import { parse as parseYaml } from 'yaml';
import { LANGS, termsIn, type Lang, type Term } from '../templates/glossary.js';
import { englishParagraphs } from './answer.js';
import { unverifiedClaims } from './facts.js';
import { htmlTags, repairMarkdown } from './markdown.js';
import { simplifiedLeft, toSimplified, traditionalIn } from './script.js';
import { checkTerms, type TermUsage } from './terms.js';

export interface Finding {
  level: 'problem' | 'warning';
  check: 'front-matter' | 'markdown' | 'language' | 'script' | 'qa' | 'facts' | 'terms' | 'links';
  message: string;
}

export interface PostCheck {
  /** A digest post (it has arxiv_id), or something else in the folder (not checked). */
  kind: 'post' | 'page' | 'other';
  id?: string;
  findings: Finding[];
  termUsage?: TermUsage;
}

export interface CheckContext {
  /** The blog engine (plain, hugo, hexo, jekyll) whose front matter is expected. */
  site: string;
  /** The qa template's heading and questions, as written in posts. */
  qa: { heading: string; questions: string[] } | undefined;
  /** The explainer's heading (the post template's). */
  explainerHeading: string;
  terms: Term[];
  /** The full text a template was given, from the cache (undefined: not cached, facts of that part not checked). */
  fullText: (id: string, version: number) => Promise<string | undefined>;
}

const SAFE_LINK = /^(https?:|mailto:|#|\.{0,2}\/|[^:]*$)/i;

/** `## heading` sections of a body, by heading. */
function sections(body: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = body.split(/^## /m).slice(1);
  for (const p of parts) {
    const nl = p.indexOf('\n');
    out.set(p.slice(0, nl === -1 ? p.length : nl).trim(), nl === -1 ? '' : p.slice(nl + 1).trim());
  }
  return out;
}

export async function checkPostText(raw: string, ctx: CheckContext): Promise<PostCheck> {
  const findings: Finding[] = [];
  const add = (level: Finding['level'], check: Finding['check'], message: string) =>
    findings.push({ level, check, message });
  const text = raw.replace(/\r\n?/g, '\n');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) return { kind: 'other', findings: [] };
  let fm: Record<string, unknown>;
  try {
    fm = (parseYaml(m[1]!) ?? {}) as Record<string, unknown>;
  } catch (err) {
    add('problem', 'front-matter', `not valid YAML (${(err as Error).message.split('\n')[0]})`);
    return { kind: 'post', findings };
  }
  if (typeof fm !== 'object' || Array.isArray(fm)) return { kind: 'other', findings: [] };
  if (fm['arxiv_id'] === undefined) return { kind: Array.isArray(fm['papers']) ? 'page' : 'other', findings: [] };
  const id = String(fm['arxiv_id']);
  const body = text.slice(m[0].length);

  // front matter the engine reads
  const need = (key: string, ok: (v: unknown) => boolean, what: string) => {
    if (!ok(fm[key])) add('problem', 'front-matter', `${key}: ${fm[key] === undefined ? 'missing' : 'not'} ${what}`);
  };
  const str = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  need('title', str, 'a non-empty title');
  need('arxiv_id', (v) => /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/.test(String(v)), 'an arXiv id');
  need('arxiv_version', (v) => Number.isInteger(v) && (v as number) >= 1, 'a version number');
  need('date', (v) => v instanceof Date || (typeof v === 'string' && !Number.isNaN(Date.parse(v))), 'a date');
  const lang = (fm['lang'] ?? 'zh-CN') as Lang;
  if (!LANGS.includes(lang))
    add('problem', 'front-matter', `lang: ${String(fm['lang'])} is not one of ${LANGS.join(', ')}`);
  if (ctx.site === 'hugo') need('draft', (v) => typeof v === 'boolean', 'true or false (Hugo)');
  if (ctx.site === 'hugo') need('slug', str, 'a slug (Hugo)');
  if (ctx.site === 'jekyll') need('layout', str, 'a layout (Jekyll)');
  if (ctx.site !== 'plain') need('categories', Array.isArray, 'a list');

  // Markdown that renders
  const repaired = repairMarkdown(body);
  for (const p of repaired.problems) add('problem', 'markdown', p);
  // what the writing would have repaired is still to fix in a file on disk
  const tags = htmlTags(body);
  if (tags.length && !repaired.problems.some((p) => p.includes('HTML')))
    add('problem', 'markdown', `有 HTML 标签（${tags.join('、')}），请只用 Markdown`);
  if ((body.match(/^\s{0,3}(```|~~~)/gm)?.length ?? 0) % 2 === 1) add('problem', 'markdown', '有一个代码块没有闭合');
  if (/^[^\n#>|\s-][^\n]*\n\s{0,3}-{3,}\s*$/m.test(body.replace(/^\s{0,3}(```|~~~)[\s\S]*?^\s{0,3}(```|~~~)/gm, '')))
    add('problem', 'markdown', '段落下面紧跟 ---，会被渲染成标题：请在 --- 前空一行');

  const parts = sections(toSimplified(body));
  const explainer = parts.get(toSimplified(ctx.explainerHeading)) ?? '';
  const qaText = ctx.qa ? (parts.get(toSimplified(ctx.qa.heading)) ?? '') : '';
  const written = [...parts].filter(([h]) => h !== '摘要').map(([, t]) => t);
  const prose = written.join('\n\n');

  // Chinese throughout, in the post's script
  for (const p of englishParagraphs(prose))
    add('problem', 'language', `这一段是英文：「${p.replace(/\s+/g, ' ').slice(0, 60)}…」`);
  const mine = [...sections(body)]
    .filter(([h]) => h !== '摘要')
    .map(([, t]) => t)
    .join('\n');
  if (lang === 'zh-CN') {
    const trad = traditionalIn(mine);
    if (trad.length) add('problem', 'script', `简体文章里有繁体字：${trad.join('')}`);
  } else {
    const left = simplifiedLeft(mine, lang);
    if (left.length) add('problem', 'script', `${lang} 文章里有简体字：${left.join('')}`);
  }

  // the Q&A: one answer per question, in order
  if (ctx.qa && qaText) {
    const heads = [...qaText.matchAll(/^### (.+)$/gm)].map((h) => h[1]!.trim());
    ctx.qa.questions.forEach((q, i) => {
      const at = heads.findIndex((h) => h.replace(/^\d+\.\s*/, '') === toSimplified(q));
      if (at === -1) add('problem', 'qa', `没有第 ${i + 1} 个问题的回答（${q}）`);
      else {
        const start = qaText.indexOf(`### ${heads[at]}`) + heads[at]!.length + 4;
        const next = qaText.indexOf('\n### ', start);
        if (!qaText.slice(start, next === -1 ? undefined : next).trim())
          add('problem', 'qa', `第 ${i + 1} 个问题的回答是空的（${q}）`);
      }
    });
  }

  // facts against the text each template was given: the abstract in the post; the cached full text
  const abstract = [String(fm['title_en'] ?? ''), parts.get('摘要') ?? ''].join('\n');
  const digest = (fm['digest'] ?? {}) as { templates?: Array<{ name?: string; source?: string }> };
  const sourceOf = (name: string) => digest.templates?.find((t) => t.name === name)?.source ?? 'abstract';
  const version = Number(fm['arxiv_version'] ?? 1);
  const givenFor = async (name: string) => {
    if (sourceOf(name) === 'abstract') return abstract;
    const full = await ctx.fullText(id, version);
    if (full === undefined) {
      add('warning', 'facts', `${name}: 全文不在缓存里，这一部分的数字和名称没有核对`);
      return undefined;
    }
    return `${abstract}\n${full}`;
  };
  const checkFacts = async (name: string, part: string) => {
    if (!part) return;
    const given = await givenFor(name);
    if (given === undefined) return;
    for (const c of unverifiedClaims(part.replace(/（待核实）/g, ''), given, name))
      add('problem', 'facts', `${c.claim} 在论文中找不到：「${c.sentence}」`);
  };
  const title = typeof fm['title'] === 'string' ? toSimplified(fm['title']) : '';
  await checkFacts('post', `${title}\n${explainer}`);
  if (ctx.qa) await checkFacts('qa', qaText);

  // terms, as the glossary writes them (a warning)
  const terms = checkTerms(prose, termsIn(abstract, ctx.terms), lang);
  for (const t of terms.findings) add('warning', 'terms', t);

  // links a reader can follow safely
  for (const l of body.matchAll(/\]\(\s*<?([^)\s>]+)>?[^)]*\)|<([a-z][a-z0-9+.-]*:[^>\s]+)>/gi)) {
    const url = decodeLink(l[1] ?? l[2] ?? '');
    if (!SAFE_LINK.test(url)) add('problem', 'links', `不安全的链接：${url.slice(0, 60)}`);
  }
  return { kind: 'post', id, findings, termUsage: terms.usage };
}

/** Entities and percent-encoding decoded before a link's scheme is judged (&#106;avascript: is javascript:). */
function decodeLink(url: string): string {
  let s = url.replace(/&#x([0-9a-f]+);?/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)));
  s = s.replace(/&#(\d+);?/g, (_, d: string) => String.fromCodePoint(Number(d))).replace(/&colon;/gi, ':');
  try {
    s = decodeURIComponent(s);
  } catch {
    // a stray % is not a scheme
  }
  return s.replace(/[\s\u0000-\u001f]/g, '');
}
