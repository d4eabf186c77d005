/** A paper's line on the digest page: from the post just written, or from the post already in the folder. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { Paper } from '../arxiv/paper.js';
import type { PostFolder } from '../output/post-folder.js';
import type { DigestEntry } from '../render/digest-page.js';
import type { PostResult } from '../render/post.js';

export function entryFromResult(r: PostResult): DigestEntry {
  return {
    id: r.paper.id,
    version: r.paper.version,
    titleZh: r.titleZh,
    titleEn: r.paper.title,
    authors: r.paper.authors.map((a) => a.name),
    abstract: r.paper.abstract,
    summary: r.summary,
    tags: r.paper.categories,
    link: '',
  };
}

const ENTRY_KEYS = ['arxiv_id', 'arxiv_version', 'title', 'summary'];

/**
 * Only the named top-level keys of a front matter, parsed: a page of the day's posts needs four values of
 * each, and parsing whole front matters was most of a warm re-run. A key's block is its line and the lines
 * under it (indented, or a sequence's "- " items), as YAML has it.
 */
export function frontMatterKeys(front: string, keys: string[]): Record<string, unknown> | null {
  const picked: string[] = [];
  let on = false;
  for (const line of front.split('\n')) {
    if (/^[^\s#-]/.test(line)) on = keys.some((k) => line.startsWith(`${k}:`));
    if (on) picked.push(line);
  }
  return parseYaml(picked.join('\n')) as Record<string, unknown> | null;
}

export async function entryFromFile(file: string, p: Paper): Promise<DigestEntry | undefined> {
  try {
    const raw = await readFile(file, 'utf8');
    const fm = frontMatterKeys(/^---\n([\s\S]*?)\n---/.exec(raw)?.[1] ?? '', ENTRY_KEYS);
    if (!fm || fm['arxiv_id'] !== p.id) return undefined;
    return {
      id: p.id,
      version: Number(fm['arxiv_version'] ?? p.version),
      titleZh: typeof fm['title'] === 'string' ? fm['title'] : '',
      titleEn: p.title,
      authors: p.authors.map((a) => a.name),
      abstract: p.abstract,
      summary: typeof fm['summary'] === 'string' ? fm['summary'] : '',
      tags: p.categories,
      link: '',
    };
  } catch {
    return undefined;
  }
}

/** Posts already in the folder (kept unless --force): index of the paper → its entry from the file's front matter. */
export async function entriesInFolder(papers: Paper[], folder: PostFolder): Promise<Map<number, DigestEntry>> {
  const found = new Map<number, DigestEntry>();
  for (const [i, p] of papers.entries()) {
    const file = folder.existing(p.id);
    if (!file) continue;
    const entry = await entryFromFile(file, p);
    if (entry) found.set(i, entry);
  }
  return found;
}
