/** The day's digest page: front matter, 今日综述, then one entry per paper (listing style). */
import { stringify } from 'yaml';
import { redact } from '../ui/redact.js';

export interface DigestEntry {
  id: string;
  version: number;
  titleZh: string;
  titleEn: string;
  authors: string[];
  summary: string;
  tags: string[];
  /** Relative link to the paper's post, when posts are written next to the page. */
  link: string;
}

export interface DigestPage {
  date: string;
  categories: string[];
  overview: string | undefined;
  overviewHeading: string;
  entries: DigestEntry[];
  generatedAt: Date;
  generator: string;
  provider: string;
  model: string;
  templates: Array<{ name: string; hash: string }>;
}

export function digestFileName(date: string, categories: string[]): string {
  return `${date}-${categories.join('+').replace(/[^A-Za-z0-9.+-]/g, '_')}.md`;
}

export function renderDigestPage(d: DigestPage): string {
  const fm = {
    title: `arXiv 每日速递：${d.categories.join(', ')} · ${d.date}`,
    date: d.generatedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    announcement_date: d.date,
    categories: d.categories,
    tags: ['arXiv', '每日速递', ...d.categories],
    papers: d.entries.map((e) => e.id),
    digest: { generator: d.generator, provider: d.provider, model: d.model, templates: d.templates },
  };
  const parts: string[] = [];
  parts.push(`共 ${d.entries.length} 篇论文（${d.categories.join(', ')}，${d.date} 公布）。`, '');
  if (d.overview) parts.push(`## ${d.overviewHeading}`, '', d.overview, '');
  parts.push('## 论文列表', '');
  d.entries.forEach((e, i) => {
    const names =
      e.authors.length > 40 ? `${e.authors.slice(0, 40).join(' ; ')} 等 ${e.authors.length} 人` : e.authors.join(' ; ');
    parts.push(
      `### [${i + 1}] [${escapeBrackets(e.titleZh || e.titleEn)}](${e.link})`,
      '',
      `**${e.titleEn}**`,
      '',
      `<https://papers.cool/arxiv/${e.id}>`,
      '',
      `Authors: ${names}`,
      '',
      e.summary || '（暂无中文摘要）',
      '',
      `标签：${e.tags.map((t) => `\`${t}\``).join(' ')}`,
      '',
    );
  });
  return redact(`---\n${stringify(fm, { lineWidth: 0 }).trimEnd()}\n---\n\n${parts.join('\n').trimEnd()}\n`);
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
