/** Blog engines: slugs, file names, front matter, links and Markdown each engine renders as written. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PROVIDERS } from '../../src/llm/providers.js';
import { configFile, workflowFile } from '../../src/render/blog-setup.js';
import { validateConfig } from '../../src/settings/config-file.js';
import type { Paper } from '../../src/arxiv/paper.js';
import { PostFolder } from '../../src/output/post-folder.js';
import { isWithdrawn, whatChanged } from '../../src/pipeline/refresh.js';
import { makePaper } from '../helpers/paper.js';
import {
  pageFrontMatter,
  postFileName,
  postLink,
  protectMarkdown,
  siteFrontMatter,
  slugOf,
} from '../../src/render/site.js';

describe('slugs and file names', () => {
  it('the id alone, or the id and a few words of the title; old-style ids keep their archive', () => {
    const p = { id: '2404.16418', title: 'The $\\alpha$-Attention of Large Language Models: A Survey' };
    expect(slugOf(p, 'id')).toBe('2404-16418');
    expect(slugOf(p, 'words')).toBe('2404-16418-attention-large-language-models-survey');
    expect(slugOf({ id: 'hep-th/9711200', title: 'The Large N Limit' }, 'id')).toBe('hep-th-9711200');
    expect(slugOf({ id: '2404.16418', title: '全中文标题' }, 'words')).toBe('2404-16418');
  });

  it("each engine's file name; Jekyll's starts with the date", () => {
    const p = { id: '2404.16418' };
    expect(postFileName('plain', p, 'x', '2026-11-24')).toBe('2404.16418.md');
    expect(postFileName('hugo', p, '2404-16418', '2026-11-24')).toBe('2404-16418.md');
    expect(postFileName('hexo', p, '2404-16418', '2026-11-24')).toBe('2404-16418.md');
    expect(postFileName('jekyll', p, '2404-16418', '2026-11-24')).toBe('2026-11-24-2404-16418.md');
  });

  it('a post already in the folder keeps its name, whatever day or slug style wrote it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'digest-folder-'));
    writeFileSync(path.join(dir, '2026-11-20-2404-16418-attention-survey.md'), '');
    writeFileSync(path.join(dir, '2026-11-20-2404-164189.md'), '');
    const jekyll = new PostFolder(dir, 'jekyll', 'id', '2026-11-25');
    const paper = { id: '2404.16418', title: 'Attention Survey' };
    expect(jekyll.fileFor(paper)).toEqual({
      file: path.join(dir, '2026-11-20-2404-16418-attention-survey.md'),
      slug: '2404-16418-attention-survey',
    });
    expect(jekyll.fileFor({ id: '2404.16419', title: 'Other' })).toEqual({
      file: path.join(dir, '2026-11-25-2404-16419.md'),
      slug: '2404-16419',
    });
    expect(new PostFolder(dir, 'hugo', 'id', '2026-11-25').existing('2404.16418')).toBeUndefined();
  });

  it('a paper posted anywhere under the folder is found by the arxiv_id of its front matter, whatever its name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'digest-folder-'));
    mkdirSync(path.join(dir, '2024/old'), { recursive: true });
    writeFileSync(
      path.join(dir, '2024/old/my-favourite.md'),
      '---\ntitle: 我的\narxiv_id: "2404.16418"\n---\n\ntext\n',
    );
    writeFileSync(path.join(dir, 'notes.md'), '# no front matter\narxiv_id: "2404.16419"\n');
    mkdirSync(path.join(dir, '.trash'));
    writeFileSync(path.join(dir, '.trash/x.md'), '---\narxiv_id: "2404.16420"\n---\n');
    for (const site of ['plain', 'hugo', 'jekyll'] as const) {
      const folder = new PostFolder(dir, site, 'words', '2026-11-25');
      expect(folder.existing('2404.16418')).toBe(path.join(dir, '2024/old/my-favourite.md'));
      expect(folder.fileFor({ id: '2404.16418', title: 'Anything' }).file).toBe(
        path.join(dir, '2024/old/my-favourite.md'),
      );
      expect(folder.existing('2404.16419')).toBeUndefined();
      expect(folder.existing('2404.16420')).toBeUndefined();
    }
  });
});

describe('front matter', () => {
  const fm = {
    title: '标题',
    summary: '一句话。',
    date: '2026-11-24T00:00:00Z',
    categories: ['cs.CL', 'cs.AI'],
    tags: ['cs.CL', 'cs.AI', 'arXiv'],
    published: '1997-11-27T00:00:00Z',
    updated: '1998-01-22T00:00:00Z',
  };
  it('plain is unchanged', () => {
    expect(siteFrontMatter('plain', fm, 's')).toEqual(fm);
  });
  it("the arXiv dates never take an engine's own date keys", () => {
    for (const site of ['hugo', 'hexo', 'jekyll'] as const) {
      const out = siteFrontMatter(site, fm, 's');
      expect(out).not.toHaveProperty('published');
      expect(out).not.toHaveProperty('updated');
      expect(out).toMatchObject({ date: fm.date, arxiv_published: fm.published, arxiv_updated: fm.updated });
    }
  });
  it('Hugo: slug, math, not a draft; Hexo: parallel categories; Jekyll: layout, excerpt, no Liquid', () => {
    expect(siteFrontMatter('hugo', fm, '2404-16418')).toMatchObject({ slug: '2404-16418', math: true, draft: false });
    expect(siteFrontMatter('hexo', fm, 's')).toMatchObject({
      categories: [['cs.CL'], ['cs.AI']],
      description: '一句话。',
      mathjax: true,
    });
    expect(siteFrontMatter('jekyll', fm, 's')).toMatchObject({
      layout: 'post',
      excerpt: '一句话。',
      render_with_liquid: false,
    });
    expect(pageFrontMatter('hexo', { categories: ['cs.CL', 'cs.AI'] })).toMatchObject({
      categories: [['cs.CL'], ['cs.AI']],
    });
  });
});

describe('Markdown the engine renders as written', () => {
  const md = [
    'We bound $D(p\\,\\|\\,q)$ and $a*b*c$; it cost \\$35,000.',
    '',
    '$$',
    '\\Re\\{\\gamma\\} > 0',
    '$$',
    '',
    'Code `a $x$ {{b}}` stays, and {{ text }} too.',
    '',
    '```',
    '$not math$ {{ x }}',
    '```',
  ].join('\n');

  it('plain: unchanged', () => {
    expect(protectMarkdown('plain', md)).toBe(md);
  });

  it('Hugo: every punctuation mark inside math escaped for the Markdown renderer; a dollar reaches the page as \\$', () => {
    const out = protectMarkdown('hugo', md);
    expect(out).toContain('$D\\(p\\\\\\,\\\\\\|\\\\\\,q\\)$');
    expect(out).toContain('$a\\*b\\*c$');
    expect(out).toContain('cost \\\\\\$35,000');
    expect(out).toContain('Code `a $x$ {{b}}` stays');
    expect(out).toContain('```\n$not math$ {{ x }}\n```');
  });

  it('Hexo: math and template syntax in raw blocks, so Nunjucks and the Markdown renderer leave them alone', () => {
    const out = protectMarkdown('hexo', md);
    expect(out).toContain('{% raw %}$D(p\\,\\|\\,q)${% endraw %}');
    expect(out).toContain('{% raw %}{{{% endraw %} text }}');
    expect(out).toContain('```\n$not math$ {{ x }}\n```');
  });

  it("Jekyll: kramdown's $$ math; Liquid escaped only where Liquid runs (the digest page)", () => {
    expect(protectMarkdown('jekyll', md)).toContain('$$D(p\\,\\|\\,q)$$');
    expect(protectMarkdown('jekyll', md)).toContain('and {{ text }} too');
    expect(protectMarkdown('jekyll', md, { liquid: true })).toContain("and {{ '{{' }} text }} too");
  });

  it('a lone dollar never pairs with one in a later paragraph (the Markdown between would be escaped away)', () => {
    const out = protectMarkdown('hugo', 'It costs $5 a month.\n\n## Results\n\n- we use $x$ here');
    expect(out).toBe('It costs \\\\\\$5 a month.\n\n## Results\n\n- we use $x$ here');
  });

  it("links in each engine's syntax", () => {
    expect(postLink('plain', 'A [b]', '2404.16418.md')).toBe('[A \\[b\\]](./2404.16418.md)');
    expect(postLink('hugo', '标题', '2404-16418.md')).toBe('[标题]({{< relref "2404-16418.md" >}})');
    expect(postLink('hexo', "It's", '2404-16418.md')).toBe("{% post_link 2404-16418 'It’s' %}");
    expect(postLink('jekyll', '标题', '2026-11-24-2404-16418.md')).toBe('[标题]({% post_url 2026-11-24-2404-16418 %})');
  });
});

describe('digest init: the files a blog gets', () => {
  const setup = (engine: 'hugo' | 'hexo' | 'jekyll') => ({
    engine,
    provider: PROVIDERS['deepseek']!,
    categories: ['cs.CL', 'cs.LG'],
    toolRepo: 'someone/arxiv-digest',
  });

  it('a config file the resolver accepts, naming the engine, its posts folder and the provider', () => {
    const raw = configFile(setup('jekyll'));
    const values = validateConfig(raw, 'digest.config.json');
    expect(values).toMatchObject({
      site: 'jekyll',
      output: '_posts',
      categories: ['cs.CL', 'cs.LG'],
      provider: 'deepseek',
    });
  });

  it('a workflow: after the feed rebuild on weekdays, the key from a secret, the cache kept, one commit', () => {
    const wf = parseYaml(workflowFile(setup('hexo'))) as {
      on: { schedule: Array<{ cron: string }> };
      jobs: { digest: { steps: Array<Record<string, unknown>> } };
    };
    expect(wf.on.schedule[0]!.cron).toBe('30 5 * * 1-5');
    const steps = wf.jobs.digest.steps;
    expect(steps.find((x) => x['uses'] === 'actions/cache@v4')).toMatchObject({
      with: { path: '~/.cache/arxiv-digest' },
    });
    expect(steps.find((x) => (x['with'] as Record<string, string> | undefined)?.['repository'])).toMatchObject({
      with: { repository: 'someone/arxiv-digest' },
    });
    const daily = steps.find((x) => String(x['run']).includes('digest.js daily'))!;
    expect(daily['env']).toEqual({ DEEPSEEK_API_KEY: '${{ secrets.DEEPSEEK_API_KEY }}' });
    const commit = String(steps.at(-1)!['run']);
    expect(commit).toContain('git add source/_posts source/images/arxiv');
    expect(commit).toContain('git diff --cached --quiet ||');
  });
});

describe('digest refresh: what a new version changed', () => {
  const paper = (o: Partial<Paper>): Paper =>
    makePaper({
      id: '2404.16418',
      version: 2,
      title: 'Old Title',
      authors: [
        { name: 'Ada', affiliations: [] },
        { name: 'Grace', affiliations: [] },
      ],
      abstract: 'We study X. We find Y.',
      ...o,
    });
  const before = { titleEn: 'Old Title', authors: ['Ada', 'Grace'], abstract: 'We study X. We find Y.' };

  it('says what changed, from the metadata alone', () => {
    expect(
      whatChanged(
        before,
        paper({
          title: 'New Title',
          authors: [
            { name: 'Ada', affiliations: [] },
            { name: 'Alan', affiliations: [] },
          ],
          abstract: 'We study X. We find Z. We also prove W.',
        }),
      ),
    ).toBe(
      '标题改为“New Title”（原为“Old Title”）；新增作者 Alan；不再署名的作者 Grace；摘要新增 2 句、删去 1 句，新增的有 “We find Z.” “We also prove W.”。',
    );
    expect(whatChanged(before, paper({}))).toBe('摘要、标题和作者都没有变化（改动在正文里）。');
  });

  it("compares math as the engine's post shows it, so unchanged formulas are not news", () => {
    const tex = 'We bound $D(p\\,\\|\\,q)$ tightly.';
    const shown = protectMarkdown('hugo', tex);
    expect(whatChanged({ ...before, abstract: shown }, paper({ abstract: tex }), 'hugo')).toBe(
      '摘要、标题和作者都没有变化（改动在正文里）。',
    );
  });

  it('a withdrawal is read from the comment or the abstract', () => {
    expect(isWithdrawn(paper({ comment: 'This paper has been withdrawn due to an error' }))).toBe(true);
    expect(isWithdrawn(paper({ abstract: 'This paper has been withdrawn by the authors.' }))).toBe(true);
    expect(isWithdrawn(paper({ abstract: 'We study withdrawn drugs in clinical trials.' }))).toBe(false);
  });
});
