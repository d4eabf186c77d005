/**
 * `digest daily --site <engine>` into a real Hugo, Jekyll and Hexo site, built by the real engine:
 * every post gets its page, every link of the digest page reaches a post's page, the formulas reach the
 * HTML as written (no lost backslash, no <em> inside math), dollar amounts stay text, Chinese is intact.
 * Hugo and Jekyll come from Debian's packages (`apt-get install hugo jekyll`; .ci/run installs them),
 * Hexo from this project's devDependencies.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { rssFeed, syntheticEntry, type FeedItem } from '../fakes/fake-arxiv.js';
import { ROOT } from '../fakes/root.js';
import { CHROMIUM, renderedDom, screenshot, serveSite } from '../helpers/browser.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';

const s = useServers();
const SITES = path.join(ROOT, 'fixtures/sites');
const TUE_MORNING = String(Date.parse('2026-11-17T15:00:00Z') / 1000);

interface Fixture {
  id: string;
  categories: string[];
  authors: string[];
  title: string;
  summary: string;
}
const PAPERS = readFileSync(path.join(SITES, 'papers.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Fixture);

const LATEXML = readFileSync(path.join(ROOT, 'fixtures/fulltext/latexml-2609.99001v1.html'), 'utf8');
// a whole 1×1 PNG, so the browser shows it
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function serveDay(): void {
  // one paper has an HTML rendering with a key figure, for --download-figures
  s.arxiv.documents.set('/html/2611.20001v1', { contentType: 'text/html; charset=utf-8', body: LATEXML });
  s.arxiv.documents.set('/html/2611.20001v1/x1.png', { contentType: 'image/png', body: PNG });
  const items: FeedItem[] = PAPERS.map((p) => ({
    id: p.id,
    version: 1,
    title: p.title,
    abstract: p.summary,
    announceType: 'new',
    categories: p.categories,
    authors: p.authors,
  }));
  s.arxiv.rss = (cats) => rssFeed(cats, 'Tue, 17 Nov 2026 00:00:00 -0500', items);
  s.arxiv.add(
    ...PAPERS.map((p) => syntheticEntry(p.id, p.title, p.summary, { categories: p.categories, authors: p.authors })),
  );
}

const ENGINES = {
  hugo: {
    posts: 'content/posts',
    build: (dir: string) => spawnSync('hugo', ['--source', dir, '--destination', 'public'], { encoding: 'utf8' }),
    out: 'public',
  },
  jekyll: {
    posts: '_posts',
    build: (dir: string) =>
      spawnSync('jekyll', ['build', '--source', dir, '--destination', path.join(dir, '_site')], { encoding: 'utf8' }),
    out: '_site',
  },
  hexo: {
    posts: 'source/_posts',
    build: (dir: string) => {
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      const hexo = path.join(ROOT, 'node_modules/hexo/bin/hexo');
      return spawnSync(process.execPath, [hexo, 'generate', '--cwd', dir], { encoding: 'utf8', cwd: dir });
    },
    out: 'public',
  },
} as const;
type Engine = keyof typeof ENGINES;

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => f.endsWith('.html') && statSync(f).isFile());
}
const text = (html: string, cls: string) =>
  new RegExp(`<(\\w+) class="${cls}">([\\s\\S]*?)</\\1>`).exec(html)?.[2]?.trim();
const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The page's math as the engine left it for MathJax: `$…$` (Hugo, Hexo) or kramdown's `\(…\)` (Jekyll). */
function mathOf(engine: Engine, html: string): string[] {
  const re = engine === 'jekyll' ? /\\\(([\s\S]*?)\\\)/g : /\$([^$]+)\$/g;
  const article = /<article>([\s\S]*)<\/article>/.exec(html)?.[1] ?? '';
  return [...decode(article).matchAll(re)].map((m) => m[1]!);
}

function hasEngine(engine: Engine): boolean {
  if (engine === 'hexo') return true;
  try {
    execFileSync(engine, engine === 'hugo' ? ['version'] : ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.each(Object.keys(ENGINES) as Engine[])('digest daily --site %s, built by the real engine', (engine) => {
  it('every post has its page, every digest link reaches one, formulas and Chinese intact', async () => {
    expect(hasEngine(engine), `${engine} is not installed: apt-get install hugo jekyll (see README, Development)`).toBe(
      true,
    );
    serveDay();
    const e = ENGINES[engine];
    const site = tempDir(`digest-${engine}-`);
    cpSync(path.join(SITES, engine), site, { recursive: true });
    const posts = path.join(site, e.posts);
    // set up as the README recommends: digest init, then digest daily in the blog's folder, no other flag
    const env = s.env({
      DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'),
      SOURCE_DATE_EPOCH: TUE_MORNING,
    });
    const init = await runCli(['init', engine, site, '--categories', 'cs.CL'], env);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout.trim().split('\n')).toEqual([
      path.join(site, 'digest.config.json'),
      path.join(site, '.github/workflows/arxiv-digest.yml'),
    ]);
    const r = await runCli(['daily', '--download-figures'], env, { cwd: site });
    expect(r.code, r.stderr).toBe(0);
    const written = readdirSync(posts, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
    expect(written).toHaveLength(PAPERS.length + 1);
    if (engine === 'jekyll') expect(written.every((f) => /^\d{4}-\d{2}-\d{2}-/.test(f))).toBe(true);
    if (engine === 'hugo')
      expect(written.filter((f) => !f.endsWith('cs.CL.md')).every((f) => /^[\w-]+\/index\.md$/.test(f))).toBe(true); // page bundles

    const built = e.build(site);
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
    expect(`${built.stdout}\n${built.stderr}`).not.toMatch(/\b(ERROR|WARN(ING)?)\b/);
    const pages = new Map(htmlFiles(path.join(site, e.out)).map((f) => [f, readFileSync(f, 'utf8')] as const));
    const byTitle = new Map([...pages].map(([f, html]) => [decode(text(html, 'title') ?? ''), { f, html }]));

    // every post: its page, with title, date, tags and categories from the front matter
    for (const file of written) {
      const fm = parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(readFileSync(path.join(posts, file), 'utf8'))![1]!) as Record<
        string,
        unknown
      >;
      const page = byTitle.get(String(fm['title']));
      expect(page, `no page titled ${String(fm['title'])} for ${file}`).toBeDefined();
      expect(text(page!.html, 'date')).toMatch(/^2026-11-1\d$/);
      if (!fm['arxiv_id']) continue;
      expect(page!.html).toMatch(/[\u4e00-\u9fff]{4}/);
      expect(text(page!.html, 'tags')).toContain('arXiv');
      const cats = [...(text(page!.html, 'categories') ?? '').matchAll(/<li>([^<]*)/g)].map((m) => m[1]);
      const paper = PAPERS.find((p) => p.id === fm['arxiv_id'])!;
      expect(cats.sort()).toEqual([...paper.categories].sort()); // parallel, not nested
      for (const m of mathOf(engine, page!.html)) expect(m).not.toMatch(/<\/?em>/);
      expect(text(page!.html, 'summary')?.length).toBeGreaterThan(10);
    }

    // the digest page links every post's page
    const digest = [...pages.values()].find((h) => /arXiv 每日速递/.test(text(h, 'title') ?? ''));
    expect(digest, 'no digest page').toBeDefined();
    // (Hexo puts an anchor of its own before the heading's text)
    const hrefs = [...digest!.matchAll(/<h3[^>]*>(?:<a [^>]*><\/a>)?\[\d+\] <a href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs).toHaveLength(PAPERS.length);
    const outDir = path.join(site, e.out);
    for (const href of hrefs) {
      const local = new URL(href, 'http://example.org/').pathname;
      const target = local.endsWith('/') ? path.join(outDir, local, 'index.html') : path.join(outDir, local);
      expect(pages.has(target), `digest link ${href} reaches no page`).toBe(true);
    }

    // formulas as written, for MathJax; money is not math
    const pageOf = (id: string) => [...byTitle.values()].find((p) => p.html.includes(`arxiv.org/abs/${id}`))!;
    const post = (id: string) => pageOf(id).html;

    // the downloaded figure is served where the post links it
    const withFigure = pageOf('2611.20001');
    const src = /<img src="([^"]+)"/.exec(withFigure.html)?.[1];
    expect(src, 'the post shows no figure').toBeDefined();
    expect(src).not.toMatch(/^https?:/);
    const pageUrl = `http://example.org/${path.relative(outDir, withFigure.f).split(path.sep).join('/')}`;
    const image = path.join(outDir, decodeURIComponent(new URL(src!, pageUrl).pathname));
    expect(readFileSync(image)).toEqual(PNG);

    const divergence = mathOf(engine, post('2611.20001'));
    expect(divergence).toEqual(expect.arrayContaining(['D(p\\,\\|\\,q)', '-46.82\\%', 'a*b*c']));
    expect(
      divergence.some((m) => /^\\Re\\\{.+\\\} > 0$/.test(m)),
      divergence.join(' | '),
    ).toBe(true);
    const subsets = post('2611.20002');
    expect(mathOf(engine, subsets)).toEqual(expect.arrayContaining(['{{n}\\choose{k}}', '1/{{n}\\choose{k}}']));
    const money = decode(subsets);
    expect(money).toContain(engine === 'jekyll' ? 'from $35,000 to $12,500' : 'from \\$35,000 to \\$12,500');
    expect(mathOf(engine, post('2605.17379')).some((m) => m.includes('\\%'))).toBe(true);

    // in a browser, with MathJax set up as the engine's docs show: every formula typeset, no TeX left as text
    expect(CHROMIUM, 'chromium is not installed: apt-get install chromium (see README, Development)').toBeDefined();
    const served = await serveSite(outDir);
    try {
      const url = `${served.url}/${path.relative(outDir, withFigure.f).split(path.sep).join('/')}`;
      const dom = await renderedDom(url);
      const typeset = dom.match(/<mjx-container/g)?.length ?? 0;
      expect(typeset).toBe(mathOf(engine, withFigure.html).length);
      const article = decode(
        /<article>([\s\S]*)<\/article>/.exec(dom)![1]!.replace(/<mjx-container[\s\S]*?<\/mjx-container>/g, ' '),
      );
      expect(article).not.toMatch(/\\(Re|gamma|\||,)|\$\$/);
      expect(statSync(await screenshot(url, engine)).size).toBeGreaterThan(10_000);
    } finally {
      await served.close();
    }
    expect(mathOf(engine, post('2605.16911'))).toEqual(expect.arrayContaining(['T{=}1']));
  });
});

describe('a blog that stays whole', () => {
  const env = (epoch: string) =>
    s.env({ DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'), SOURCE_DATE_EPOCH: epoch });

  it('a run that lists no paper leaves the digest page as it was', async () => {
    serveDay();
    const dir = tempDir();
    const first = await runCli(['daily', 'cs.CL', '--kind', 'post', '-o', dir], env(TUE_MORNING));
    expect(first.code, first.stderr).toBe(0);
    const page = first.stdout.trim();
    const before = readFileSync(page, 'utf8');
    const none = await runCli(
      ['daily', 'cs.CL', '--kind', 'post', '--force', '--match', 'no paper says this', '-o', dir],
      env(TUE_MORNING),
    );
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain(`no post written or kept: no digest page (${page} is left as it was)`);
    expect(readFileSync(page, 'utf8')).toBe(before);
  });

  it('Jekyll: a post fetched again on a later day is rewritten in place, not written twice', async () => {
    serveDay();
    const dir = tempDir();
    const day1 = await runCli(
      ['fetch', '2611.20001', '--kind', 'post', '--site', 'jekyll', '--slug', 'words', '-o', dir],
      env(TUE_MORNING),
    );
    expect(day1.code, day1.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['2026-11-17-2611-20001-divergence-bounds-token-mixtures.md']);
    const later = String(Number(TUE_MORNING) + 3 * 86_400);
    const skip = await runCli(['fetch', '2611.20001', '--site', 'jekyll', '-o', dir], env(later));
    expect(skip.stderr).toMatch(
      /skip 2611\.20001: .*2026-11-17-2611-20001-divergence-bounds-token-mixtures\.md exists/,
    );
    const again = await runCli(
      ['fetch', '2611.20001', '--kind', 'post', '--site', 'jekyll', '--force', '-o', dir],
      env(later),
    );
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['2026-11-17-2611-20001-divergence-bounds-token-mixtures.md']);
  });

  it('a paper already posted anywhere under the folder is kept, not written twice; --force rewrites it in place', async () => {
    serveDay();
    const dir = tempDir();
    mkdirSync(path.join(dir, 'archive'));
    const moved = path.join(dir, 'archive/a-post-i-renamed.md');
    writeFileSync(
      moved,
      '---\ntitle: 我改过的标题\narxiv_id: "2611.20002"\narxiv_version: 1\nsummary: 我自己写的导语。\n---\n\n正文\n',
    );
    const r = await runCli(['daily', 'cs.CL', '--kind', 'post', '--site', 'hugo', '-o', dir], env(TUE_MORNING));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(moved, 'utf8')).toContain('我改过的标题');
    const posts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'));
    expect(posts).not.toContain('2611-20002.md');
    expect(posts).toHaveLength(PAPERS.length + 1); // the kept post among them, and the digest page
    const page = readFileSync(r.stdout.trim(), 'utf8');
    expect(page).toContain('[我改过的标题]({{< relref "archive/a-post-i-renamed.md" >}})');
    const forced = await runCli(
      ['daily', 'cs.CL', '--kind', 'post', '--site', 'hugo', '--force', '-o', dir],
      env(TUE_MORNING),
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(moved, 'utf8')).toMatch(/^title: 一文读懂：Counting Subsets Cheaply$/m);
    expect(readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))).toHaveLength(
      PAPERS.length + 1,
    );
  });

  it('digest init never replaces a file without --force', async () => {
    const dir = tempDir();
    const first = await runCli(['init', 'jekyll', dir], env(TUE_MORNING));
    expect(first.code, first.stderr).toBe(0);
    writeFileSync(path.join(dir, 'digest.config.json'), '{"site": "jekyll", "output": "_posts", "limit": 5}\n');
    const again = await runCli(['init', 'hugo', dir], env(TUE_MORNING));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain(
      `${path.join(dir, 'digest.config.json')} exists: left as it is (use --force to replace it)`,
    );
    expect(readFileSync(path.join(dir, 'digest.config.json'), 'utf8')).toContain('"limit": 5');
    const forced = await runCli(['init', 'hugo', dir, '--force'], env(TUE_MORNING));
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(dir, 'digest.config.json'), 'utf8')).toContain('"site": "hugo"');
    const bad = await runCli(['init', 'wordpress', dir], env(TUE_MORNING));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('engine "wordpress": expected one of hugo, hexo, jekyll');
  });

  it('an unknown engine or slug style: exit 2 naming it and the accepted ones, before any request', async () => {
    const bad = await runCli(['daily', 'cs.CL', '--site', 'wordpress'], env(TUE_MORNING));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--site wordpress: unknown site (accepted: plain, hugo, hexo, jekyll)');
    const slug = await runCli(['fetch', '2611.20001', '--slug', 'title'], env(TUE_MORNING));
    expect(slug.code).toBe(2);
    expect(slug.stderr).toContain('--slug title: unknown slug (accepted: id, words)');
    expect(s.arxiv.requests).toHaveLength(0);
  });
});

describe('digest refresh: posts follow new versions', () => {
  const env = () =>
    s.env({ DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'), SOURCE_DATE_EPOCH: TUE_MORNING });
  const later = () => s.env({ SOURCE_DATE_EPOCH: String(Number(TUE_MORNING) + 7 * 86_400) });
  const fmOf = (file: string) =>
    parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(readFileSync(file, 'utf8'))![1]!) as Record<string, unknown>;

  it('rewrites in place what is behind, keeps hand edits (the new version beside them), marks a withdrawal', async () => {
    const [x, y, z] = PAPERS.slice(-3);
    s.arxiv.add(...[x!, y!, z!].map((p) => syntheticEntry(p.id, p.title, p.summary, { categories: p.categories })));
    const dir = tempDir();
    const first = await runCli(['fetch', x!.id, y!.id, z!.id, '--kind', 'post', '--site', 'hugo', '-o', dir], env());
    expect(first.code, first.stderr).toBe(0);
    const [fx, fy, fz] = first.stdout.trim().split('\n');
    const edited = readFileSync(fy!, 'utf8').replace('## 摘要', '## 摘要\n\n（我加的一段按语。）');
    writeFileSync(fy!, edited);
    const before = fmOf(fx!);

    // arXiv now has v2 of all three; the third is withdrawn
    s.arxiv.add(
      syntheticEntry(x!.id, x!.title, `${x!.summary} We add experiments.`, { version: 2, categories: x!.categories }),
      syntheticEntry(y!.id, y!.title, `${y!.summary} We fix a proof.`, { version: 2, categories: y!.categories }),
      syntheticEntry(z!.id, z!.title, 'This paper has been withdrawn by the authors.', { version: 2 }),
    );
    s.llm.reset();
    const dry = await runCli(['refresh', dir, '--dry-run', '--site', 'hugo'], later());
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.trim().split('\n').sort()).toEqual(
      [
        `${x!.id}: v1 → v2  ${fx}  (rewritten in place)`,
        `${y!.id}: v1 → v2  ${fy}  (edited by hand: kept, the new version goes to ${fy!.replace(/\.md$/, '.v2.md.new')})`,
        `${z!.id}: v1 → v2  ${fz}  (withdrawn: a notice is added)`,
      ].sort(),
    );
    expect(s.llm.requests).toHaveLength(0);

    const r = await runCli(['refresh', dir, '--kind', 'post', '--site', 'hugo'], later());
    expect(r.code, r.stderr).toBe(0);
    expect(s.llm.requests).toHaveLength(2); // x and y; the withdrawal needs no model
    const after = fmOf(fx!);
    expect(after).toMatchObject({ arxiv_version: 2, date: before['date'], slug: before['slug'] });
    expect(after['lastmod']).toBe('2026-11-24T15:00:00Z');
    expect(readFileSync(fx!, 'utf8')).toContain(
      '> 本文已按 arXiv 上的新版本 v2 重写（此前依据 v1）。\n>\n> v2 更新了什么：摘要新增 1 句，新增的有 “We add experiments.”。',
    );
    expect(readFileSync(fy!, 'utf8')).toBe(edited);
    expect(fmOf(fy!.replace(/\.md$/, '.v2.md.new'))).toMatchObject({ arxiv_version: 2 });
    expect(r.stderr).toContain(`${fy} was edited by hand: kept`);
    expect(fmOf(fz!)).toMatchObject({ withdrawn: true, arxiv_version: 1 });
    expect(readFileSync(fz!, 'utf8')).toContain('这篇论文的作者已在 arXiv 上撤回（v2');

    // nothing is behind any more but the kept and the withdrawn post; they cost nothing
    s.llm.reset();
    const again = await runCli(['refresh', dir, '--kind', 'post', '--site', 'hugo'], later());
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
    expect(again.stderr).toContain('3 post(s) under');
    // --force: the edited post is rewritten in place after all
    const forced = await runCli(['refresh', dir, '--kind', 'post', '--site', 'hugo', '--force'], later());
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout.trim()).toBe(fy);
    expect(fmOf(fy!)).toMatchObject({ arxiv_version: 2 });
  });

  it('daily --include-replaced rewrites the post it already has for the new version, in place', async () => {
    const p = PAPERS.at(-1)!;
    const item = (version: number, announceType: 'new' | 'replace'): FeedItem => ({
      id: p.id,
      version,
      title: p.title,
      abstract: p.summary,
      announceType,
      categories: p.categories,
      authors: p.authors,
    });
    const dir = tempDir();
    s.arxiv.rss = (cats) => rssFeed(cats, 'Tue, 17 Nov 2026 00:00:00 -0500', [item(1, 'new')]);
    s.arxiv.add(syntheticEntry(p.id, p.title, p.summary, { categories: p.categories }));
    const first = await runCli(['daily', 'cs.CL', '--kind', 'post', '--site', 'jekyll', '-o', dir], env());
    expect(first.code, first.stderr).toBe(0);
    const post = readdirSync(dir).filter((f) => f.includes(p.id.replace('.', '-')));
    expect(post).toHaveLength(1);
    s.arxiv.rss = (cats) => rssFeed(cats, 'Tue, 17 Nov 2026 00:00:00 -0500', [item(2, 'replace')]);
    s.arxiv.add(
      syntheticEntry(p.id, p.title, `${p.summary} Now with proofs.`, { version: 2, categories: p.categories }),
    );
    const r = await runCli(
      ['daily', 'cs.CL', '--kind', 'post', '--site', 'jekyll', '--include-replaced', '-o', dir],
      env(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.includes(p.id.replace('.', '-')))).toEqual(post);
    expect(fmOf(path.join(dir, post[0]!))).toMatchObject({ arxiv_version: 2 });
    expect(readFileSync(path.join(dir, post[0]!), 'utf8')).toContain('（此前依据 v1）');
  });
});
