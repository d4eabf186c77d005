/**
 * Blog engines: where a post goes, the front matter each engine reads, links between pages, and Markdown
 * that survives the engine's own processing (its Markdown renderer eats backslashes and makes `*` emphasis
 * inside math; Liquid and Nunjucks read `{{` and `{%`; Hugo reads `{{<` and `{{%` as shortcodes).
 * `plain` is the engine-neutral output, unchanged.
 */
import { fileStem } from '../arxiv/arxiv-id.js';
import { splitMath } from '../arxiv/latex.js';

export const SITE_NAMES = ['plain', 'hugo', 'hexo', 'jekyll'] as const;
export type SiteName = (typeof SITE_NAMES)[number];
export const SLUG_STYLES = ['id', 'words'] as const;
export type SlugStyle = (typeof SLUG_STYLES)[number];

/** The folder `-o` usually names for each engine (the README and `digest config` say so). */
export const POSTS_FOLDER: Record<SiteName, string> = {
  plain: 'posts',
  hugo: 'content/posts',
  hexo: 'source/_posts',
  jekyll: '_posts',
};

const STOP = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'by',
  'for',
  'from',
  'in',
  'into',
  'is',
  'of',
  'on',
  'or',
  'the',
  'to',
  'via',
  'with',
]);

/**
 * A readable, stable slug: the id (`2404-16418`, `hep-th-9711200`), or the id and up to five words of the
 * English title. It depends only on the id and the title, so a re-run never changes it.
 */
export function slugOf(paper: { id: string; title: string }, style: SlugStyle): string {
  const base = paper.id.replace(/[/.]/g, '-');
  if (style === 'id') return base;
  const words = paper.title
    .normalize('NFKD')
    .replace(/\$[^$]*\$/g, ' ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP.has(w))
    .slice(0, 5);
  return words.length ? `${base}-${words.join('-')}` : base;
}

/** The post's file name inside the posts folder. `date` (YYYY-MM-DD) is only used by Jekyll, which needs it. */
export function postFileName(site: SiteName, paper: { id: string }, slug: string, date: string): string {
  if (site === 'plain') return `${fileStem(paper.id)}.md`;
  if (site === 'jekyll') return `${date}-${slug}.md`;
  return `${slug}.md`;
}

/** Jekyll's file name carries a date: a post written on another day is found by its slug, not written twice. */
export function jekyllNameFor(names: string[], slug: string): string | undefined {
  const re = new RegExp(`^\\d{4}-\\d{2}-\\d{2}-${slug.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.md$`);
  return names.find((n) => re.test(n));
}

/** Front matter in the engine's terms; the arXiv dates move to keys no engine reads as the post's own. */
export function siteFrontMatter(site: SiteName, fm: Record<string, unknown>, slug: string): Record<string, unknown> {
  if (site === 'plain') return fm;
  const { published, updated, categories, summary, draft, ...rest } = fm;
  // Hugo reads draft; Hexo and Jekyll leave a post with published: false out of the site
  const unpublished = draft === true ? { published: false } : {};
  const common = {
    ...rest,
    ...(summary !== undefined ? { summary } : {}),
    ...(published !== undefined ? { arxiv_published: published } : {}),
    ...(updated !== undefined ? { arxiv_updated: updated } : {}),
  };
  const cats = Array.isArray(categories) ? (categories as string[]) : [];
  switch (site) {
    case 'hugo':
      return { ...common, categories: cats, slug, draft: draft === true, math: true };
    case 'hexo':
      // a list of one-item lists: parallel categories (a flat list is read as a hierarchy)
      return {
        ...common,
        ...unpublished,
        categories: cats.map((c) => [c]),
        ...(summary !== undefined ? { description: summary } : {}),
        mathjax: true,
      };
    case 'jekyll':
      return {
        layout: 'post',
        ...common,
        categories: cats,
        ...(summary !== undefined ? { excerpt: summary } : {}),
        ...unpublished,
        render_with_liquid: false,
        math: true,
      };
  }
}

/** Front matter of the digest page in the engine's terms. */
export function pageFrontMatter(site: SiteName, page: Record<string, unknown>): Record<string, unknown> {
  const { draft, ...fm } = page;
  // a page whose overview the checks still fault is held back, as a post is
  const unpublished = draft === true ? { published: false } : {};
  switch (site) {
    case 'plain':
      return page;
    case 'hugo':
      return { ...fm, draft: draft === true, math: true };
    case 'hexo':
      return {
        ...fm,
        ...unpublished,
        categories: Array.isArray(fm['categories']) ? (fm['categories'] as string[]).map((c) => [c]) : [],
        mathjax: true,
      };
    case 'jekyll':
      return { layout: 'post', ...fm, ...unpublished, math: true };
  }
}

/** A link from the digest page to a post, in the engine's own syntax, so it follows the site's permalinks. */
export function postLink(site: SiteName, text: string, file: string): string {
  const name = file.replace(/\.md$/, '');
  switch (site) {
    case 'plain':
      return `[${escapeBrackets(text)}](./${file})`;
    case 'hugo':
      return `[${escapeBrackets(text)}]({{< relref "${file}" >}})`;
    case 'hexo':
      return `{% post_link ${name} '${text.replace(/'/g, '’').replace(/%}/g, '% }')}' %}`;
    case 'jekyll':
      // a post in a subfolder of _posts is named with its path from the site's root
      return `[${escapeBrackets(text)}]({% post_url ${name.includes('/') ? `/${name}` : name} %})`;
  }
}

function escapeBrackets(s: string): string {
  return s.replace(/([[\]])/g, '\\$1');
}

/**
 * Markdown that the engine renders as written. `liquid`: the page is rendered by Liquid (Jekyll's digest
 * page, which links with `post_url`), so `{{` and `{%` in its text are escaped for Liquid.
 */
export function protectMarkdown(site: SiteName, md: string, opts: { liquid?: boolean } = {}): string {
  if (site === 'plain') return md;
  return mapOutsideCode(md, (text) =>
    splitMath(text)
      .map((seg) =>
        seg.math
          ? mathFor(site, seg.text, seg.display === true, opts.liquid === true)
          : textFor(site, seg.text, opts.liquid === true),
      )
      .join(''),
  );
}

/** Every ASCII punctuation character escaped: CommonMark renders `\p` as `p`, so the math reaches the page as written. */
const escapeAllPunctuation = (s: string) => s.replace(/[!-/:-@[-`{-~]/g, '\\$&');

function mathFor(site: Exclude<SiteName, 'plain'>, tex: string, display: boolean, liquid: boolean): string {
  const d = display ? '$$' : '$';
  switch (site) {
    case 'hugo':
      return `${d}${escapeAllPunctuation(tex)}${d}`;
    case 'hexo':
      // Nunjucks leaves a raw block alone, and so does the Markdown renderer
      return `{% raw %}${d}${tex}${d}{% endraw %}`;
    case 'jekyll': {
      // kramdown's math is $$…$$ (inline or alone in a paragraph), its content taken as written
      const body = liquid ? escapeLiquid(tex) : tex;
      return `$$${body}$$`;
    }
  }
}

function textFor(site: Exclude<SiteName, 'plain'>, text: string, liquid: boolean): string {
  switch (site) {
    case 'hugo':
      // a literal dollar reaches the page as \$, which MathJax (processEscapes) shows as $; no shortcodes
      return text.replace(/\\\$/g, '\\\\\\$').replace(/\{\{([<%])/g, '{{ $1');
    case 'hexo':
      return text.replace(/\\\$/g, '\\\\\\$').replace(/\{[{%#]/g, (m) => `{% raw %}${m}{% endraw %}`);
    case 'jekyll':
      // kramdown turns \$ into $, and Jekyll's MathJax reads only kramdown's \( \) delimiters
      return liquid ? escapeLiquid(text) : text;
  }
}

function escapeLiquid(s: string): string {
  return s.replace(/\{[{%]/g, (m) => `{{ '${m}' }}`);
}

/** Applies `fn` to the Markdown outside fenced code blocks and inline code spans. */
function mapOutsideCode(md: string, fn: (text: string) => string): string {
  const out: string[] = [];
  const fence = /^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;
  let at = 0;
  for (const m of md.matchAll(fence)) {
    out.push(mapOutsideInlineCode(md.slice(at, m.index), fn), m[0]);
    at = m.index + m[0].length;
  }
  out.push(mapOutsideInlineCode(md.slice(at), fn));
  return out.join('');
}

function mapOutsideInlineCode(md: string, fn: (text: string) => string): string {
  const out: string[] = [];
  let at = 0;
  for (const m of md.matchAll(/(`+)[^`\n][\s\S]*?\1/g)) {
    out.push(fn(md.slice(at, m.index)), m[0]);
    at = m.index + m[0].length;
  }
  out.push(fn(md.slice(at)));
  return out.join('');
}
