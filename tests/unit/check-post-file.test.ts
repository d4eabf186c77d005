import { describe, expect, it } from 'vitest';
import { checkPostText, type CheckContext } from '../../src/check/post-file.js';
import { loadGlossary } from '../../src/templates/glossary.js';

const FULL = 'Latency drops by 40% at 32k tokens.';
const ctx = (site: CheckContext['site'], full: string | null = FULL): CheckContext => ({
  site,
  qa: { heading: '论文问答', questions: ['这篇论文试图解决什么问题？', '总结一下论文的主要内容'] },
  explainerHeading: '解读',
  terms: loadGlossary(undefined),
  fullText: async () => full ?? undefined,
});
const post = (front: string, qaSource = 'html', extra = '') =>
  [
    '---',
    'title: 一文读懂：稀疏注意力',
    'title_en: Sparse Attention Revisited',
    'date: 2026-11-25T00:00:00Z',
    'arxiv_id: 2611.01234',
    'arxiv_version: 2',
    front,
    `digest: { templates: [{ name: post, source: abstract }, { name: qa, source: ${qaSource} }] }`,
    '---',
    '',
    '## 摘要',
    '',
    'We revisit sparse attention and cut latency by 37% on long inputs.',
    '',
    '## 解读',
    '',
    '> 作者把长输入的延迟降低了 37%。',
    extra,
    '',
    '## 论文问答',
    '',
    '### 这篇论文试图解决什么问题？',
    '',
    '长输入下注意力太慢。',
    '',
    '### 总结一下论文的主要内容',
    '',
    '稀疏注意力在实验中降低了约 40% 的延迟。',
    '',
  ].join('\n');

describe('digest check on one file', () => {
  it('a post true to its abstract has no findings; a figure only in the full text needs the full text', async () => {
    expect((await checkPostText(post('lang: zh-CN'), ctx('plain'))).findings).toEqual([]);
    // 40% is in the qa answer, written from the full text: found there; against the abstract alone it is not
    expect((await checkPostText(post('lang: zh-CN', 'abstract'), ctx('plain'))).findings).toEqual([
      { level: 'problem', check: 'facts', message: '40% 在论文中找不到：「稀疏注意力在实验中降低了约 40% 的延迟。」' },
    ]);
    expect((await checkPostText(post('lang: zh-CN'), ctx('plain', null))).findings).toEqual([
      { level: 'warning', check: 'facts', message: 'qa: 全文不在缓存里，这一部分的数字和名称没有核对' },
    ]);
  });

  it("front matter the engine needs: Hugo's draft and slug, Jekyll's layout, a list of categories", async () => {
    const hugo = await checkPostText(post('categories: [cs.CL]'), ctx('hugo'));
    expect(hugo.findings.map((f) => f.message)).toEqual([
      'draft: missing true or false (Hugo)',
      'slug: missing a slug (Hugo)',
    ]);
    const jekyll = await checkPostText(post('layout: post\ncategories: cs.CL'), ctx('jekyll'));
    expect(jekyll.findings.map((f) => f.message)).toEqual(['categories: not a list']);
  });

  it('links are judged after entities and percent-encoding are decoded', async () => {
    for (const link of ['&#106;avascript:alert(1)', 'java%73cript:alert(1)', '&#x6A;avascript:x', 'data:text/html,x'])
      expect(
        (await checkPostText(post('lang: zh-CN', 'html', `\n见[这里](${link})。`), ctx('plain'))).findings.map(
          (f) => f.check,
        ),
        link,
      ).toEqual(['links']);
    for (const link of ['https://github.com/x/y', './2611.01235.md', 'mailto:a@b.org', '#解读'])
      expect(
        (await checkPostText(post('lang: zh-CN', 'html', `\n见[这里](${link})。`), ctx('plain'))).findings,
        link,
      ).toEqual([]);
  });

  it('files that are not posts are left alone: the digest page, a README', async () => {
    expect((await checkPostText('---\ntitle: x\npapers: [2611.01234]\n---\n\nbody', ctx('plain'))).kind).toBe('page');
    expect((await checkPostText('# README\n', ctx('plain'))).kind).toBe('other');
  });
});
