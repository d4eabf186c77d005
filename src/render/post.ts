/** Assemble a paper's post: YAML front matter (built with a YAML library) and the Markdown body. */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { paperLinks, type Paper } from '../arxiv/paper.js';
import type { TextSource } from '../fulltext/types.js';
import type { Unverified } from '../check/facts.js';
import type { TermUsage } from '../check/terms.js';
import type { Cited } from '../check/cite.js';
import { toVariant } from '../check/script.js';
import type { Lang, Term } from '../templates/glossary.js';
import type { Usage } from '../llm/llm-client.js';
import { redact } from '../ui/redact.js';
import { protectMarkdown, siteFrontMatter, type SiteName } from './site.js';
import type { QaPair } from './parse-qa.js';
import { neutraliseLinks } from './sanitize.js';

export interface Section {
  name: string;
  heading: string;
  body: string;
}

export interface PostResult {
  paper: Paper;
  titleZh: string;
  /** The Chinese variant the post is written in (the texts here are Simplified; rendering converts). */
  lang?: Lang;
  /** The glossary entries the paper uses (their renderings in the variant). */
  paperTerms?: Term[];
  /** Terms written otherwise than the glossary, or two ways (digest.terms). */
  terms?: string[];
  /** With full text: where in the paper each figure of the writing stands (digest.figure_sources). */
  cited?: Cited[];
  /** English term → how this post writes it, for the day's consistency check. */
  termUsage?: TermUsage;
  /** 2–3 sentence Chinese summary for listings (the post's lede). */
  summary: string;
  /** Figures and names in the writing that the text its template was given does not contain (for a human to check). */
  unverified: Unverified[];
  /** What the checks still found after the model was asked to fix it: the post is written as a draft. */
  problems: string[];
  explainer: { heading: string; body: string } | undefined;
  qa: { heading: string; pairs: QaPair[] } | undefined;
  sections: Section[];
  /** The paper's key figure, its caption translated when the model did so. */
  figure?: { src: string; caption: string; captionEn: string } | undefined;
  templates: Array<{ name: string; hash: string; source?: TextSource }>;
  model: string;
  provider: string;
  /** The most complete text any template was given. */
  source: TextSource;
  usage: Usage;
  /** Answers taken from the cache instead of the model. */
  cachedCalls: number;
  /** Follow-up requests sent (a missing question or title). */
  followUps?: number;
  generatedAt: Date;
  generator: string;
  /** Where the day's ranking put the paper, and why (digest daily with interests). */
  rank?: { score: number; reason: string };
}

const MAX_AUTHORS_SHOWN = 40;

/** Links to code and project pages that the authors put in the abstract or the comment. */
export function codeLinks(p: Pick<Paper, 'abstract' | 'comment'>): string[] {
  const urls = `${p.abstract}\n${p.comment}`.match(/https?:\/\/[^\s<>()[\]{}"'，。；]+/g) ?? [];
  const code = urls
    .map((u) => u.replace(/[.,;:!?]+$/, ''))
    .filter((u) =>
      /\/\/(www\.)?(github\.com|gitlab\.com|bitbucket\.org|huggingface\.co|codeberg\.org)\/[^/]+\/[^/]+|\.github\.io(\/|$)/.test(
        u,
      ),
    );
  return [...new Set(code)];
}

export function authorLine(paper: Paper): string {
  const names = paper.authors.map((a) => a.name);
  if (names.length <= MAX_AUTHORS_SHOWN) return names.join(', ');
  return `${names.slice(0, MAX_AUTHORS_SHOWN).join(', ')} 等 ${names.length} 人`;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function frontMatter(r: PostResult): Record<string, unknown> {
  const p = r.paper;
  const links = paperLinks(p.id, p.version);
  return {
    title: r.titleZh || p.title,
    title_en: p.title,
    lang: r.lang ?? 'zh-CN',
    ...(r.summary ? { summary: r.summary } : {}),
    date: isoSeconds(r.generatedAt),
    // a post the checks still find fault with is not published until someone looks at it
    ...(r.problems.length ? { draft: true } : {}),
    arxiv_id: p.id,
    arxiv_version: p.version,
    authors: p.authors.map((a) => a.name),
    categories: p.categories,
    tags: [...p.categories, 'arXiv'],
    published: p.published,
    updated: p.updated,
    links: {
      arxiv: p.links.abs || links.abs,
      pdf: p.links.pdf || links.pdf,
      papers_cool: links.papersCool,
      ...(p.links.doi ? { doi: p.links.doi } : {}),
      ...(codeLinks(p).length ? { code: codeLinks(p) } : {}),
    },
    ...(p.journalRef ? { journal_ref: p.journalRef } : {}),
    ...(p.dois.length ? { doi: p.dois.join(' ') } : {}),
    digest: {
      generator: r.generator,
      provider: r.provider,
      model: r.model,
      source: r.source,
      templates: r.templates.map((t) => ({ name: t.name, hash: t.hash, ...(t.source ? { source: t.source } : {}) })),
      ...unverifiedMatter(r.unverified),
      ...(r.problems.length ? { problems: r.problems } : {}),
      ...(r.terms?.length ? { terms: r.terms } : {}),
      ...(r.cited?.length ? { figure_sources: r.cited } : {}),
      ...(r.rank ? { rank: r.rank } : {}),
    },
  };
}

/** digest.unverified_figures / unverified_names (the claims) and digest.unverified (each with its sentence). */
function unverifiedMatter(list: Unverified[]) {
  if (!list.length) return {};
  const of = (kind: Unverified['kind']) => list.filter((u) => u.kind === kind).map((u) => u.claim);
  return {
    ...(of('figure').length ? { unverified_figures: of('figure') } : {}),
    ...(of('name').length ? { unverified_names: of('name') } : {}),
    unverified: list.map((u) => ({ claim: u.claim, kind: u.kind, template: u.template, sentence: u.sentence })),
  };
}

/** The part that needs no model output: English title, links, authors, abstract. */
export function headerBlock(p: Paper): string {
  const links = paperLinks(p.id, p.version);
  return [
    `**${p.title}**`,
    '',
    `- arXiv: [${p.id}v${p.version}](${p.links.abs || links.abs})`,
    `- PDF: <${p.links.pdf || links.pdf}>`,
    `- papers.cool: <${links.papersCool}>`,
    '',
    `**作者**：${authorLine(p)}`,
    '',
    '## 摘要',
    '',
    neutraliseLinks(p.abstract),
    '',
  ].join('\n');
}

export function qaBlock(heading: string, pairs: QaPair[]): string {
  return [`## ${heading}`, '', ...pairs.flatMap((q) => [`### ${q.question}`, '', q.answer, ''])].join('\n');
}

export function bodyMarkdown(r: PostResult): string {
  const parts = [headerBlock(r.paper)];
  if (r.explainer) parts.push(`## ${r.explainer.heading}\n\n${withFigure(r.explainer.body, r.figure)}\n`);
  else if (r.figure) parts.push(`${figureBlock(r.figure)}\n`);
  for (const s of r.sections) parts.push(`## ${s.heading}\n\n${s.body}\n`);
  if (r.qa) parts.push(qaBlock(r.qa.heading, r.qa.pairs));
  return (
    parts
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}

/** A post rewritten for a newer version of its paper (digest refresh). */
export interface Refresh {
  /** The first post's date, kept so the post does not move in the blog. */
  firstDate: string;
  previousVersion: number;
  /** What changed between the versions, in a sentence or two (from the metadata, not from the model). */
  changes?: string;
}

/** The post as a Markdown file; for a blog engine (`site`), in its conventions, with its slug. */
export function renderMarkdown(
  r: PostResult,
  site: { site: SiteName; slug: string } = { site: 'plain', slug: '' },
  refresh?: Refresh,
): string {
  const fm = localised(r, siteFrontMatter(site.site, frontMatter(r), site.slug));
  let body = protectMarkdown(site.site, localised(r, bodyMarkdown(r)));
  if (refresh) {
    fm['date'] = refresh.firstDate;
    fm[LAST_MODIFIED[site.site]] = isoSeconds(r.generatedAt);
    const what = refresh.changes ? `\n>\n> v${r.paper.version} 更新了什么：${refresh.changes}` : '';
    body = `> 本文已按 arXiv 上的新版本 v${r.paper.version} 重写（此前依据 v${refresh.previousVersion}）。${what}\n\n${body}`;
  }
  body = redact(body);
  // the body's hash: a later digest refresh tells a post edited by hand from one it may rewrite
  (fm['digest'] as Record<string, unknown>)['body_sha256'] = bodyHash(body);
  return `---\n${redact(stringify(fm, { lineWidth: 0 }).trimEnd())}\n---\n\n${body}`;
}

/** The key each engine reads as a post's last change. */
const LAST_MODIFIED: Record<SiteName, string> = {
  plain: 'last_modified',
  hugo: 'lastmod',
  hexo: 'updated',
  jekyll: 'last_modified_at',
};

export function bodyHash(body: string): string {
  return createHash('sha256').update(body.replace(/\r\n/g, '\n')).digest('hex').slice(0, 16);
}

/** A post file's front matter (raw YAML) and body. */
export function splitPost(text: string): { front: string; body: string } | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n(?:\r?\n)?/.exec(text);
  return m ? { front: m[1]!, body: text.slice(m[0].length) } : undefined;
}

export function renderJson(r: PostResult): string {
  const p = r.paper;
  const obj = {
    ...frontMatter(r),
    abstract: p.abstract,
    comment: p.comment,
    primary_category: p.primaryCategory,
    explainer: r.explainer?.body ?? null,
    qa: r.qa?.pairs ?? null,
    sections: r.sections,
    usage: {
      prompt_tokens: r.usage.promptTokens,
      completion_tokens: r.usage.completionTokens,
      cached_tokens: r.usage.cachedTokens,
    },
  };
  return redact(JSON.stringify({ ...localised(r, obj), markdown: renderMarkdown(r) }));
}

/**
 * Every Chinese string of a post (or its front matter) in the post's variant: texts are kept Simplified
 * until here, where they are written for the reader (headings and chrome included).
 */
function localised<T>(r: PostResult, value: T): T {
  const lang = r.lang ?? 'zh-CN';
  if (lang === 'zh-CN') return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return /[\u3400-\u9fff]/.test(v) ? toVariant(v, lang, r.paperTerms) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

function figureBlock(f: NonNullable<PostResult['figure']>): string {
  const alt = f.caption.replace(/[[\]\n]/g, ' ');
  return `![${alt}](${f.src})\n\n*${f.caption.replace(/\*/g, '')}*`;
}

/** The key figure goes right after the lede (or at the top when there is none). */
function withFigure(body: string, f: PostResult['figure']): string {
  if (!f) return body;
  const lede = /^((?:>[^\n]*\n?)+)/.exec(body)?.[1];
  return lede
    ? `${lede.trimEnd()}\n\n${figureBlock(f)}\n\n${body.slice(lede.length).trimStart()}`
    : `${figureBlock(f)}\n\n${body}`;
}
