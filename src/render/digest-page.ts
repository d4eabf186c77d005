/** The day's digest page: front matter, 今日综述, then one entry per paper (listing style). */
import { neutraliseLinks } from './sanitize.js';
import { stringify } from 'yaml';
import { toVariant } from '../check/script.js';
import type { Lang } from '../templates/glossary.js';
import { redact } from '../ui/redact.js';
import { pageFrontMatter, postLink, protectMarkdown, type SiteName } from './site.js';

export interface DigestEntry {
  id: string;
  version: number;
  titleZh: string;
  titleEn: string;
  authors: string[];
  /** The English abstract (LaTeX already made readable). */
  abstract: string;
  summary: string;
  tags: string[];
  /** Where the title links: the post next to the page (`./file.md`) or arXiv. */
  link: string;
  /** The post's file name, when posts are written next to the page (a blog engine links it its own way). */
  file?: string;
  /** The day's ranking: score and reason. */
  rank?: { score: number; reason: string };
  /** Code and project pages the authors link. */
  code?: string[];
}

export interface DigestPage {
  date: string;
  categories: string[];
  overview: string | undefined;
  /** What the checks still find in the overview: the page is written as a draft. */
  overviewProblems?: string[];
  overviewHeading: string;
  entries: DigestEntry[];
  generatedAt: Date;
  generator: string;
  provider: string;
  model: string;
  templates: Array<{ name: string; hash: string }>;
  /** The blog engine the page is for (default plain). */
  site?: SiteName;
  /** The Chinese variant: the whole page (chrome, overview, summaries) is written in it. */
  lang?: Lang;
  /** Glossary terms the day's posts write in different ways (digest.terms). */
  terms?: string[];
}

export function digestFileName(date: string, categories: string[]): string {
  return `${date}-${categories.join('+').replace(/[^A-Za-z0-9.+-]/g, '_')}.md`;
}

export function renderDigestPage(d: DigestPage): string {
  const fm = {
    title: `arXiv 每日速递：${d.categories.join(', ')} · ${d.date}`,
    date: d.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(d.overviewProblems?.length ? { draft: true } : {}),
    announcement_date: d.date,
    categories: d.categories,
    tags: ['arXiv', '每日速递', ...d.categories],
    papers: d.entries.map((e) => e.id),
    digest: {
      generator: d.generator,
      provider: d.provider,
      model: d.model,
      templates: d.templates,
      ...(d.overviewProblems?.length ? { problems: d.overviewProblems.map((x) => `overview: ${x}`) } : {}),
      ...(d.terms?.length ? { terms: d.terms } : {}),
    },
    lang: d.lang ?? 'zh-CN',
  };
  const site = d.site ?? 'plain';
  // links in the engine's syntax go in after the text is made safe for the engine (they use {{ or {%)
  const links: string[] = [];
  const titleLink = (e: DigestEntry) => {
    const text = e.titleZh || e.titleEn;
    if (site === 'plain' || !e.file) return `[${escapeBrackets(text)}](${e.link})`;
    links.push(postLink(site, text, e.file));
    return `\u0000${links.length - 1}\u0000`;
  };
  const parts: string[] = [];
  parts.push(`共 ${d.entries.length} 篇论文（${d.categories.join(', ')}，${d.date} 公布）。`, '');
  if (d.overview) parts.push(`## ${d.overviewHeading}`, '', d.overview, '');
  parts.push('## 论文列表', '');
  d.entries.forEach((e, i) => {
    const names =
      e.authors.length > 40 ? `${e.authors.slice(0, 40).join(' ; ')} 等 ${e.authors.length} 人` : e.authors.join(' ; ');
    parts.push(
      `### [${i + 1}] ${titleLink(e)}`,
      '',
      `**${e.titleEn}**`,
      '',
      `<https://papers.cool/arxiv/${e.id}>`,
      '',
      `Authors: ${names}`,
      '',
      ...(e.abstract ? [`Summary: ${neutraliseLinks(e.abstract.replace(/\s*\n\s*/g, ' '))}`, ''] : []),
      ...(e.rank ? [`相关度：${e.rank.score.toFixed(2)}（${e.rank.reason}）`, ''] : []),
      ...(e.code?.length ? [`代码：${e.code.map((u) => `<${u}>`).join(' ')}`, ''] : []),
      e.summary || '（暂无中文摘要）',
      '',
      `标签：${e.tags.map((t) => `\`${t}\``).join(' ')}`,
      '',
    );
  });
  const body = protectMarkdown(site, parts.join('\n').trimEnd(), { liquid: site === 'jekyll' }).replace(
    /\u0000(\d+)\u0000/g,
    (_, n: string) => links[Number(n)]!,
  );
  const front = stringify(pageFrontMatter(site, fm), { lineWidth: 0 }).trimEnd();
  const page = `---\n${front}\n---\n\n${body}\n`;
  return redact(d.lang && d.lang !== 'zh-CN' ? toVariant(page, d.lang) : page);
}

function escapeBrackets(s: string): string {
  return s.replace(/([[\]])/g, '\\$1');
}

/** "1. 中文标题（English title）：一句话" lines the overview template sees. */
export function paperList(entries: DigestEntry[]): string {
  return entries
    .map((e, i) => {
      const first = /^[^。！？]*[。！？]?/.exec(e.summary)?.[0] ?? '';
      return `${i + 1}. ${e.titleZh || e.titleEn}（${e.titleEn}）：${first}`;
    })
    .join('\n');
}
