/**
 * The folder the posts go to, as a blog engine names its files: which file already holds a paper's post
 * (whatever day or slug it was written with), and where a new one goes. The folder is listed once.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileStem } from '../arxiv/arxiv-id.js';
import { postFileName, slugOf, type SiteName, type SlugStyle } from '../render/site.js';
import { besideThePost, type FigurePlace } from './figures.js';
import { outputPath } from './write-file.js';

export class PostFolder {
  private names: Set<string> | undefined;
  private posted: Map<string, string> | undefined;

  constructor(
    readonly dir: string,
    readonly site: SiteName,
    readonly slugStyle: SlugStyle,
    /** YYYY-MM-DD: the announcement (daily) or the run's day (fetch); Jekyll's file names start with it. */
    readonly date: string,
    readonly ext: 'md' | 'json' = 'md',
    /** Hugo with downloaded figures: a new post is a page bundle, `<slug>/index.md`, its figure beside it. */
    readonly bundles = false,
  ) {}

  private list(): Set<string> {
    if (!this.names) {
      try {
        this.names = new Set(readdirSync(this.dir));
      } catch {
        this.names = new Set();
      }
    }
    return this.names;
  }

  private get named(): boolean {
    return this.site !== 'plain' && this.ext === 'md';
  }

  /**
   * Every post anywhere under the folder, by the `arxiv_id` of its front matter: a paper posted once is
   * found whatever its file name or subfolder (read once; only each file's first few KB).
   */
  posts(): Map<string, string> {
    if (this.posted) return this.posted;
    this.posted = new Map();
    if (this.ext !== 'md') return this.posted;
    const root = path.resolve(this.dir);
    let files: string[] = [];
    try {
      files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
        (f) => f.endsWith('.md') && !f.split(path.sep).some((part) => part.startsWith('.') || part === 'node_modules'),
      );
    } catch {
      return this.posted;
    }
    const head = Buffer.alloc(4096);
    for (const f of files.sort()) {
      const file = path.join(root, f);
      let text: string;
      try {
        const fd = openSync(file, 'r');
        try {
          text = head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0));
        } finally {
          closeSync(fd);
        }
      } catch {
        continue;
      }
      const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)?.[1];
      const id = fm && /^arxiv_id:\s*["']?([^"'\s]+)["']?\s*$/m.exec(fm)?.[1];
      if (id && !this.posted.has(id)) this.posted.set(id, file);
    }
    return this.posted;
  }

  /** The file that already holds this paper's post, if there is one: by its name, else by its front matter. */
  existing(id: string): string | undefined {
    return this.byName(id) ?? this.posts().get(id);
  }

  private byName(id: string): string | undefined {
    if (!this.named) {
      const file = outputPath(this.dir, id, this.ext);
      return this.list().has(path.basename(file)) ? file : undefined;
    }
    const base = id.replace(/[/.]/g, '-');
    const re = new RegExp(`^${this.site === 'jekyll' ? '\\d{4}-\\d{2}-\\d{2}-' : ''}${base}(-[a-z0-9-]+)?(\\.md)?$`);
    for (const n of this.list()) {
      if (!re.test(n)) continue;
      if (n.endsWith('.md')) return outputPath(this.dir, n.slice(0, -3), 'md');
      const bundle = path.join(path.resolve(this.dir), n, 'index.md');
      if (this.site === 'hugo' && existsSync(bundle)) return bundle;
    }
    return undefined;
  }

  /** Where this paper's post goes (its existing file, so a re-run never renames it), and its slug. */
  fileFor(paper: { id: string; title: string }): { file: string; slug: string } {
    const found = this.existing(paper.id);
    if (!this.named) return { file: found ?? outputPath(this.dir, paper.id, this.ext), slug: fileStem(paper.id) };
    if (found) {
      const name =
        path.basename(found) === 'index.md' ? path.basename(path.dirname(found)) : path.basename(found, '.md');
      return { file: found, slug: this.site === 'jekyll' ? name.slice(11) : name };
    }
    const slug = slugOf(paper, this.slugStyle);
    if (this.bundles) return { file: path.join(path.resolve(this.dir), slug, 'index.md'), slug };
    return { file: outputPath(this.dir, postFileName(this.site, paper, slug, this.date).slice(0, -3), 'md'), slug };
  }

  /** Records a paper's file written by this run. */
  added(id: string, file: string): void {
    this.list().add(path.relative(path.resolve(this.dir), file).split(path.sep)[0]!);
    if (this.ext === 'md') this.posts().set(id, file);
  }

  /** The post's path inside the folder, as the digest page links it (`2404-16418.md`, `2404-16418/index.md`). */
  relative(file: string): string {
    return path.relative(path.resolve(this.dir), file).split(path.sep).join('/');
  }

  /**
   * Where the post's downloaded figure goes, so that the engine serves it: beside the post (plain), in the
   * page bundle (Hugo), in the site's `images/arxiv/` (Hexo: `source/`) or `assets/arxiv/` (Jekyll), the
   * site being the folder above the posts folder. Undefined: the engine would not serve it (a flat Hugo post).
   */
  figurePlace(file: string, slug: string, id: string): FigurePlace | undefined {
    const root = path.dirname(path.resolve(this.dir));
    switch (this.site) {
      case 'plain':
        return besideThePost(this.dir, id);
      case 'hugo':
        if (path.basename(file) !== 'index.md') return undefined;
        return (ext) => ({ file: path.join(path.dirname(file), `figure${ext}`), link: `figure${ext}` });
      case 'hexo':
        return (ext) => ({
          file: path.join(root, 'images/arxiv', `${slug}-figure${ext}`),
          link: `/images/arxiv/${slug}-figure${ext}`,
        });
      case 'jekyll':
        return (ext) => ({
          file: path.join(root, 'assets/arxiv', `${slug}-figure${ext}`),
          link: `/assets/arxiv/${slug}-figure${ext}`,
        });
    }
  }
}
