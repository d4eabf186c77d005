import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseAtom } from '../../src/arxiv/parse-atom.js';
import type { Paper } from '../../src/arxiv/paper.js';
import { parsePost } from '../../src/render/parse-output.js';
import { parseQa } from '../../src/render/parse-qa.js';
import { bodyHash, renderMarkdown, splitPost, type PostResult } from '../../src/render/post.js';
import { demoteHeadings, flattenHeadings, sanitizeModelMarkdown } from '../../src/render/sanitize.js';

const base = parseAtom(
  readFileSync(new URL('../../fixtures/arxiv/api-2026-idlist-single-1605.08386.xml', import.meta.url), 'utf8'),
).papers[0]!;

function result(paper: Paper, titleZh: string): PostResult {
  return {
    paper,
    titleZh,
    unverified: [],
    problems: [],
    summary: '一句话总结。',
    explainer: { heading: '解读', body: '正文。' },
    qa: { heading: '论文问答', pairs: [{ question: '这篇论文试图解决什么问题？', answer: '回答。' }] },
    sections: [],
    templates: [{ name: 'post', hash: 'abc123abc123' }],
    model: 'm',
    provider: 'openai',
    source: 'abstract',
    usage: { promptTokens: 1, completionTokens: 2, cachedTokens: 0 },
    cachedCalls: 0,
    generatedAt: new Date('2026-11-22T08:00:00Z'),
    generator: 'arxiv-digest test',
  };
}

function frontMatterOf(md: string): Record<string, unknown> {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(md);
  expect(m, 'front matter block').not.toBeNull();
  return parseYaml(m![1]!) as Record<string, unknown>;
}

const hostile = [
  'Attention: Is All You Need?',
  '"Quoted" and \'single\' title',
  '---\ntitle: hacked\n---',
  'Title with # hash and: colon',
  '- starts like a list',
  '[brackets] {braces} & ampersand * star',
  '0',
  'yes',
  'null',
  '2024-01-01',
  '@at and `backtick`',
  '让AI更聪明：如何挑选“老师”？',
  'Tab\there and trailing space ',
  '% percent | pipe > greater',
];

describe('front matter round trip', () => {
  it.each(hostile.map((h) => [h]))('keeps %j exactly, as strings', (title) => {
    const paper = { ...base, title, authors: [{ name: `${title} Jr.`, affiliations: [] }] };
    const md = renderMarkdown(result(paper, title));
    const fm = frontMatterOf(md);
    expect(fm['title']).toBe(title);
    expect(fm['title_en']).toBe(title);
    expect(fm['authors']).toEqual([`${title} Jr.`]);
    expect(fm['arxiv_id']).toBe('1605.08386');
    expect(fm['arxiv_version']).toBe(1);
    expect(md.match(/^---$/gm)!.length).toBeGreaterThanOrEqual(2);
  });

  it('carries links, categories, provenance', () => {
    const md = renderMarkdown(result(base, '标题'));
    const fm = frontMatterOf(md);
    expect(fm['links']).toEqual({
      arxiv: 'https://arxiv.org/abs/1605.08386v1',
      pdf: 'https://arxiv.org/pdf/1605.08386v1',
      papers_cool: 'https://papers.cool/arxiv/1605.08386',
    });
    expect(fm['categories']).toEqual(['math.CO', 'math.ST']);
    expect(fm['tags']).toEqual(['math.CO', 'math.ST', 'arXiv']);
    expect(fm['date']).toBe('2026-11-22T08:00:00Z');
    expect(fm['digest']).toEqual({
      generator: 'arxiv-digest test',
      provider: 'openai',
      model: 'm',
      source: 'abstract',
      templates: [{ name: 'post', hash: 'abc123abc123' }],
      // the hash of the body as written: digest refresh tells a hand-edited post by it
      body_sha256: bodyHash(splitPost(md)!.body),
    });
    expect(bodyHash(`${splitPost(md)!.body}edited`)).not.toBe((fm['digest'] as Record<string, string>)['body_sha256']);
  });

  it('body order: English title, links, authors, abstract, explainer, Q&A', () => {
    const md = renderMarkdown(result(base, '标题'));
    const order = [
      '**Heat-bath random walks with Markov bases**',
      '- papers.cool: <https://papers.cool/arxiv/1605.08386>',
      '**作者**：Caprice Stanley',
      '## 摘要',
      '## 解读',
      '## 论文问答',
      '### 这篇论文试图解决什么问题？',
    ];
    const idx = order.map((s) => md.indexOf(s));
    expect(idx.every((i) => i > 0)).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });
});

describe('model output', () => {
  it('takes the H1 as the Chinese title and demotes section headings under 解读', () => {
    const p = parsePost(
      '\n# 让随机游走更快：一个新界\n\n> 导语第一句。\n> 第二句。\n\n想象一下……\n\n## 为什么重要\n\n因为……\n\n#### 太深\n',
    );
    expect(p.titleZh).toBe('让随机游走更快：一个新界');
    expect(p.lede).toBe('导语第一句。第二句。');
    expect(p.body).toContain('### 为什么重要');
    expect(p.body).toContain('**太深**');
    expect(p.body).not.toContain('# 让');
  });

  it('escapes raw HTML and blocks script links, but not inside code', () => {
    const s = sanitizeModelMarkdown('a <script>x</script> [c](javascript:alert(1)) `<b>` ok');
    expect(s).toContain('&lt;script>');
    expect(s).toContain('](#blocked-javascript:');
    expect(s).toContain('`<b>`');
  });

  it('splits an all-at-once Q&A, one answer per question, in order', () => {
    const qs = ['问题一？', '问题二？', '问题三？'];
    const text = '### 1. 问题一？\n答一。\n\n### 2. 问题二？\n答二。\n#### 细节\n- 点\n\n### 3、问题三？\n答三。';
    expect(parseQa(text, qs).answers).toEqual(['答一。', '答二。\n#### 细节\n- 点', '答三。']);
    // a question the answer skips is reported missing, the others are kept
    expect(parseQa('### 1. 问题一？\n答一。\n### 3. 问题三？\n答三。', qs).answers).toEqual([
      '答一。',
      undefined,
      '答三。',
    ]);
  });
});

describe('links a renderer would follow to a script are blocked, however they are spelled', () => {
  const blocked = [
    '[x](javascript:alert(5))',
    '[x](&#106;avascript:alert(5))',
    '[x](&#x6A;avascript:alert(5))',
    '[x](javascript&colon;alert(5))',
    '[x](java&#9;script:alert(5))',
    '[x](%6Aavascript:alert(5))',
    '[x](JaVaScRiPt:alert(5))',
    '[x]( <javascript:alert(5)> )',
    '![i](data:image/svg+xml;base64,PHN2Zz4=)',
    '[x](vbscript:msgbox)',
    '[x](file:///etc/passwd)',
    '[x][r]\n\n[r]: &#106;avascript:alert(5)',
    // found by tests/unit/properties.test.ts: a backslash escape, and a definition's destination on the next line
    '[x](javascript\\:alert(5))',
    '[x][r]\n\n[r]:\njavascript:alert(5)',
  ];
  it.each(blocked)('%s', (md) => {
    const out = sanitizeModelMarkdown(md);
    expect(out).toMatch(/#blocked-(javascript|data|vbscript|file):/);
    expect(out).not.toMatch(/\]\(\s*<?(?:&#|%|java|data|vbscript|file)/i);
  });
  it('"#" alone on a line does not take the fence after it into a heading (its code would be live)', () => {
    const out = sanitizeModelMarkdown('#\n```\n[x](javascript:alert(5)) <img src=x onerror=alert(5)>\n```');
    for (const written of [out, flattenHeadings(out), demoteHeadings(out)]) expect(written.split('\n')[1]).toBe('```');
  });
  it('http, https, mailto and relative links are left as they are', () => {
    const md =
      '[a](https://arxiv.org/abs/2404.16418) [b](http://x.org/a%20b) [c](mailto:a@b.org) [d](../post/) [e](#sec-2)\n\n[r]: https://github.com/x/y';
    expect(sanitizeModelMarkdown(md)).toBe(md);
  });
});
