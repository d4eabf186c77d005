/**
 * digest refresh: which posts of a folder are behind arXiv, and what happens to each: rewritten in place
 * (same file, same slug, first date kept), kept because it was edited by hand (the new version is written
 * beside it), or marked as withdrawn.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, stringify } from 'yaml';
import type { FetchOutcome } from '../arxiv/arxiv-client.js';
import type { Paper } from '../arxiv/paper.js';
import type { PostFolder } from '../output/post-folder.js';
import { writeAtomic } from '../output/write-file.js';
import { bodyHash, renderMarkdown, splitPost, type PostResult } from '../render/post.js';
import { neutraliseLinks } from '../render/sanitize.js';
import { protectMarkdown, type SiteName } from '../render/site.js';
import type { PostFiles } from './deliver.js';

export interface PostedPaper {
  id: string;
  version: number;
  file: string;
  /** The post's first date, kept on a rewrite. */
  date: string;
  /** The body differs from what was written (or the post does not say what was written). */
  edited: boolean;
  /** The post already carries a withdrawal notice. */
  markedWithdrawn: boolean;
  /** What the post says of the version it was written from, to tell what the new one changed. */
  before: { titleEn: string; authors: string[]; abstract: string };
}

export interface Behind extends PostedPaper {
  paper: Paper;
  withdrawn: boolean;
}

export async function readPosts(folder: PostFolder): Promise<PostedPaper[]> {
  const out: PostedPaper[] = [];
  for (const [id, file] of folder.posts()) {
    const parts = splitPost(await readFile(file, 'utf8'));
    if (!parts) continue;
    let fm: Record<string, unknown>;
    try {
      fm = (parseYaml(parts.front) ?? {}) as Record<string, unknown>;
    } catch {
      continue;
    }
    const stored = (fm['digest'] as Record<string, unknown> | undefined)?.['body_sha256'];
    out.push({
      id,
      version: Number(fm['arxiv_version']) || 1,
      file,
      date: String(fm['date'] ?? ''),
      edited: typeof stored !== 'string' || stored !== bodyHash(parts.body),
      markedWithdrawn: fm['withdrawn'] === true,
      before: {
        titleEn: String(fm['title_en'] ?? ''),
        authors: Array.isArray(fm['authors']) ? fm['authors'].map(String) : [],
        abstract: /^## 摘要\n\n([\s\S]*?)(?=\n## |$)/m.exec(parts.body)?.[1]?.trim() ?? '',
      },
    });
  }
  return out;
}

/**
 * The posts whose paper has a newer version on arXiv that still needs something done: not a post already
 * marked as withdrawn, nor a hand-edited one whose new version already waits beside it (unless `force`).
 */
export function behind(posts: PostedPaper[], metadata: Map<string, FetchOutcome>, force: boolean): Behind[] {
  return posts.flatMap((p) => {
    const m = metadata.get(p.id);
    if (!m?.ok || m.paper.version <= p.version || p.markedWithdrawn) return [];
    if (p.edited && !force && existsSync(besideName(p.file, m.paper.version))) return [];
    return [{ ...p, paper: m.paper, withdrawn: isWithdrawn(m.paper) }];
  });
}

export function isWithdrawn(p: Paper): boolean {
  return (
    /\bwithdrawn\b/i.test(p.comment) ||
    /^\s*(this|the) (paper|article|submission|manuscript) (has been|is|was) withdrawn/i.test(p.abstract)
  );
}

/** Where the new version of a hand-edited post goes: beside it, under a name no engine publishes. */
export function besideName(file: string, version: number): string {
  return file.replace(/\.md$/, `.v${version}.md.new`);
}

/** A withdrawn paper's post keeps its text and gets a notice on top; its front matter says so. */
export async function markWithdrawn(b: Behind): Promise<void> {
  const parts = splitPost(await readFile(b.file, 'utf8'))!;
  const fm = (parseYaml(parts.front) ?? {}) as Record<string, unknown>;
  fm['withdrawn'] = true;
  fm['withdrawn_version'] = b.paper.version;
  const note = `> **注意**：这篇论文的作者已在 arXiv 上撤回（v${b.paper.version}${b.paper.comment ? `：${b.paper.comment.replace(/\n/g, ' ')}` : ''}）。下文写于撤回之前，仅供参考。\n\n`;
  await writeAtomic(b.file, `---\n${stringify(fm, { lineWidth: 0 }).trimEnd()}\n---\n\n${note}${parts.body}`, true);
}

/**
 * Writes a post for a newer version over the old one (same file, same slug, first date kept), or beside
 * it when the old one was edited by hand and `force` is off. Returns the file written.
 */
export async function writeNewVersion(
  result: PostResult,
  old: PostedPaper,
  files: PostFiles,
  force: boolean,
): Promise<string> {
  const { slug } = files.folder.fileFor(result.paper);
  const md = renderMarkdown(
    result,
    { site: files.folder.site, slug },
    {
      firstDate: old.date,
      previousVersion: old.version,
      changes: whatChanged(old.before, result.paper, files.folder.site),
    },
  );
  const keep = old.edited && !force;
  const file = keep ? besideName(old.file, result.paper.version) : old.file;
  await writeAtomic(file, md, true);
  if (keep) files.logger.warn(`${old.file} was edited by hand: kept; v${result.paper.version} is in ${file}`);
  return file;
}

const sentences = (text: string) =>
  (text.replace(/\s+/g, ' ').match(/[^.!?。！？]+[.!?。！？]?/g) ?? [])
    .map((x) => x.trim())
    .filter((x) => x.length > 3);

/**
 * What the new version changed, from the metadata alone (nothing the model could invent): the title, the
 * authors, and the abstract's sentences that are new or gone. Empty when nothing visible changed.
 */
export function whatChanged(before: PostedPaper['before'], now: Paper, site: SiteName = 'plain'): string {
  const parts: string[] = [];
  if (before.titleEn && before.titleEn !== now.title) parts.push(`标题改为“${now.title}”（原为“${before.titleEn}”）`);
  const names = now.authors.map((a) => a.name);
  if (before.authors.length) {
    const added = names.filter((n) => !before.authors.includes(n));
    const gone = before.authors.filter((n) => !names.includes(n));
    if (added.length) parts.push(`新增作者 ${added.join(', ')}`);
    if (gone.length) parts.push(`不再署名的作者 ${gone.join(', ')}`);
  }
  if (before.abstract) {
    const old = new Set(sentences(before.abstract));
    // compared as the post shows the abstract (links neutralised, math made safe for the engine)
    const fresh = sentences(protectMarkdown(site, neutraliseLinks(now.abstract)));
    const added = fresh.filter((x) => !old.has(x));
    const removed = [...old].filter((x) => !fresh.includes(x));
    if (added.length || removed.length) {
      const quote = added
        .slice(0, 2)
        .map((x) => `“${x}”`)
        .join(' ');
      const counts = [added.length ? `新增 ${added.length} 句` : '', removed.length ? `删去 ${removed.length} 句` : '']
        .filter(Boolean)
        .join('、');
      parts.push(`摘要${counts}${quote ? `，新增的有 ${quote}` : ''}`);
    }
  }
  return parts.length ? `${parts.join('；')}。` : '摘要、标题和作者都没有变化（改动在正文里）。';
}
