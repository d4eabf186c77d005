import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { syntheticEntry } from '../fakes/fake-arxiv.js';
import { makePdf } from '../fakes/make-pdf.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';

const s = useServers();
const html = readFileSync(new URL('../../fixtures/fulltext/latexml-2609.99001v1.html', import.meta.url), 'utf8');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeEach(() => {
  s.arxiv.documents.clear();
  s.arxiv.add(
    syntheticEntry(
      '2609.99001',
      'Sparse Routing for Tiny Translators',
      'We route each token through two of 16 small experts and reach 31.4 BLEU.',
      { categories: ['cs.CL'] },
    ),
    syntheticEntry('2609.99002', 'A Paper Only Available as PDF', 'An abstract about a PDF-only paper.', {
      categories: ['cs.CL'],
    }),
    syntheticEntry('2609.99003', 'A Paper Without Any Full Text', 'An abstract and nothing else.', {
      categories: ['cs.CL'],
    }),
  );
  s.arxiv.documents.set('/html/2609.99001v1', { contentType: 'text/html; charset=utf-8', body: html });
  s.arxiv.documents.set('/html/2609.99001v1/x1.png', { contentType: 'image/png', body: PNG });
});

const fm = (md: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(md)![1]!) as Record<string, unknown>;
const paths = () => s.arxiv.requests.map((r) => r.url.replace(/\?.*$/, ''));
type Msg = { role: string; content: string };
const msgs = (i: number) => s.llm.requests[i]!.body['messages'] as Msg[];

describe('--cite', () => {
  it('with full text, each figure the paper states gets its section; --cite shows it in the post, an invented one gets none', async () => {
    const env = s.env({ DIGEST_MODEL: 'fake/figures' });
    const plain = await runCli(['fetch', '2609.99001', '--source', 'full', '--kind', 'post'], env);
    expect(plain.code, plain.stderr).toBe(0);
    const sources = (fm(plain.stdout)['digest'] as Record<string, unknown>)['figure_sources'];
    expect(sources).toEqual([
      { figure: '31.4', where: '§4' },
      { figure: '30.1', where: '§4' },
    ]);
    expect(plain.stdout).toContain('论文报告了 31.4 和 30.1，另有 55% 的提升。');
    const cited = await runCli(['fetch', '2609.99001', '--source', 'full', '--kind', 'post', '--cite'], env);
    expect(cited.code, cited.stderr).toBe(0);
    expect(cited.stdout).toContain('论文报告了 31.4 和 30.1（§4），另有 55% 的提升。');
    expect((fm(cited.stdout)['digest'] as Record<string, unknown>)['unverified_figures']).toEqual(['55%']);
    // from the abstract alone there is nothing to cite
    const abstract = await runCli(['fetch', '2609.99001', '--kind', 'post', '--cite'], env);
    expect(abstract.code, abstract.stderr).toBe(0);
    expect(abstract.stdout).not.toContain('（§');
    expect((fm(abstract.stdout)['digest'] as Record<string, unknown>)['figure_sources']).toBeUndefined();
  });
});

describe('full text (built CLI against fake servers)', () => {
  it('--source full: Q&A asked one question at a time over the sections, post with the key figure, source in front matter', async () => {
    const r = await runCli(['fetch', '2609.99001', '--source', 'full', '--concurrency', '1'], s.env());
    expect(r.code, r.stderr).toBe(0);
    expect(paths()).toEqual(['/api/query', '/html/2609.99001v1']);
    const isQuestion = (i: number) => msgs(i).at(-1)!.content.includes('内容回答第');
    const post = s.llm.requests.map((_, i) => i).filter((i) => !isQuestion(i));
    const qa = s.llm.requests.map((_, i) => i).filter(isQuestion);
    expect(post).toHaveLength(1);
    expect(qa).toHaveLength(6);
    // system → paper → question, and the first two messages byte-identical in all six
    const first = msgs(qa[0]!);
    for (const [n, i] of qa.entries()) {
      const m = msgs(i);
      expect(m.slice(0, 2)).toEqual(first.slice(0, 2));
      expect(m.map((x) => x.role)).toEqual([
        'system',
        'user',
        ...Array.from({ length: n }, () => ['user', 'assistant']).flat(),
        'user',
      ]);
    }
    const paperMsg = first[1]!.content;
    for (const needle of [
      '## 1 Introduction',
      '## 3 Method',
      '$$g(x)=\\operatorname{top}_{2}(Wx)$$',
      '## 5 Conclusion',
    ])
      expect(paperMsg).toContain(needle);
    expect(paperMsg).not.toContain('must not appear');
    expect(msgs(qa[5]!).at(-1)!.content).toContain('总结一下论文的主要内容');
    // the post request carries the figure caption to translate
    expect(msgs(post[0]!)[1]!.content).toContain('Overview of the routing framework');

    const front = fm(r.stdout);
    expect((front['digest'] as Record<string, unknown>)['source']).toBe('html');
    expect(r.stdout).toContain(
      `![模拟模型翻译的关键图图注。](${s.arxiv.urls()['DIGEST_ARXIV_HTML_URL']}/2609.99001v1/x1.png)`,
    );
    expect(r.stdout).toContain('### 论文做了哪些实验？');
    expect(r.stdout).toMatch(/第 4 个问题（论文做了哪些实验？）：这是模拟模型的回答。论文正文包括\d+个部分/);
  });

  it('--verbose shows the token budget and what was cut', async () => {
    const r = await runCli(
      ['fetch', '2609.99001', '--verbose', '--kind', 'qa'],
      s.env({ DIGEST_CONTEXT_TOKENS: '8192' }),
    );
    expect(r.code, r.stderr).toBe(0);
    // the Q&A asks about related work: that section is trimmed like the others, not dropped first
    expect(r.stderr).toMatch(
      /2609\.99001v1 qa: html text \d+ tokens, budget 200; cut 1 trailing paragraph of "2 Related Work" \(\d+ tokens\)/,
    );
    const paperMsg = msgs(0)[1]!.content;
    expect(paperMsg).toContain('## 2 Related Work\n\nMixture-of-experts models have a long history');
    expect(paperMsg).toContain('[…]');
    expect(paperMsg).toContain('## Abstract');
  });

  it('falls back HTML → ar5iv → PDF → abstract, and says which', async () => {
    s.arxiv.documents.set('/pdf/2609.99002v1', {
      contentType: 'application/pdf',
      body: makePdf([
        [
          'Abstract',
          'A PDF-only paper about routing tokens through experts in small',
          'translation models.',
          '1 Introduction',
          'Small models lose quality on rare language pairs and we',
          'study why that happens in detail.',
          '2 Method',
          'We keep two experts per token.',
          'References',
          '[1] Hidden.',
        ],
      ]),
    });
    const r = await runCli(['fetch', '2609.99002', '2609.99003', '--kind', 'qa', '--concurrency', '1'], s.env());
    expect(r.code, r.stderr).toBe(0);
    expect(paths()[0]).toBe('/api/query');
    // per paper, in fallback order (the two papers' downloads may interleave)
    expect(paths().filter((p) => p.includes('99002'))).toEqual([
      '/html/2609.99002v1',
      '/ar5iv/html/2609.99002',
      '/pdf/2609.99002v1',
    ]);
    expect(paths().filter((p) => p.includes('99003'))).toEqual([
      '/html/2609.99003v1',
      '/ar5iv/html/2609.99003',
      '/pdf/2609.99003v1',
    ]);
    const [a, b] = r.stdout
      .split(/^(?=---\ntitle:)/m)
      .filter(Boolean)
      .map(fm);
    expect((a!['digest'] as Record<string, unknown>)['source']).toBe('pdf');
    expect((b!['digest'] as Record<string, unknown>)['source']).toBe('abstract');
    expect(r.stderr).toContain(
      'warning: 2609.99003v1: no full text (HTML: none; ar5iv: none; PDF: none); writing from the abstract only',
    );
    const pdfPaper = s.llm.requests.find((q) => JSON.stringify(q.body['messages']).includes('PDF-only'))!;
    expect(JSON.stringify(pdfPaper.body['messages'])).toContain('## 2 Method');
    expect(JSON.stringify(pdfPaper.body['messages'])).not.toContain('Hidden');
    // the abstract-only paper is asked all at once
    expect(s.llm.requests).toHaveLength(7);
  });

  it('a "context too long" answer shrinks the budget and retries once', async () => {
    s.llm.script({
      kind: 'status',
      status: 400,
      body: {
        error: {
          message:
            "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
        },
      },
    });
    const r = await runCli(
      ['fetch', '2609.99001', '--kind', 'post', '--source', 'full', '--verbose'],
      s.env({ DIGEST_CONTEXT_TOKENS: '6000' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the provider said the prompt is too long; retrying with a smaller budget');
    const budgets = [...r.stderr.matchAll(/budget (\d+)/g)].map((m) => Number(m[1]));
    expect(budgets).toHaveLength(2);
    expect(budgets[1]).toBeLessThan(budgets[0]!);
    expect(s.llm.requests).toHaveLength(2);
  });

  it('--download-figures saves the figure next to the post', async () => {
    const dir = tempDir();
    const r = await runCli(['fetch', '2609.99001', '--source', 'full', '-o', dir, '--download-figures'], s.env());
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['2609.99001-figure.png', '2609.99001.md']);
    expect(readFileSync(path.join(dir, '2609.99001-figure.png'))).toEqual(PNG);
    expect(readFileSync(path.join(dir, '2609.99001.md'), 'utf8')).toContain(
      '![模拟模型翻译的关键图图注。](./2609.99001-figure.png)',
    );
  });

  it('"downloadFigures": true in the config file is honoured by fetch as by daily', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    writeFileSync(path.join(dir, 'digest.config.json'), JSON.stringify({ downloadFigures: true }));
    const r = await runCli(['fetch', '2609.99001', '--source', 'full', '-o', out], s.env(), { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['2609.99001-figure.png', '2609.99001.md']);
    expect(readFileSync(path.join(out, '2609.99001.md'), 'utf8')).toContain('](./2609.99001-figure.png)');
    // without -o the setting has nothing to do, and says nothing
    const plain = await runCli(['fetch', '2609.99001', '--source', 'full'], s.env(), { cwd: dir });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('--download-figures');
  });

  it('no figure in the paper: none invented', async () => {
    s.arxiv.documents.set('/html/2609.99001v1', {
      contentType: 'text/html',
      body: html.replace(/<figure class="ltx_figure"[\s\S]*?<\/figure>/, ''),
    });
    const r = await runCli(['fetch', '2609.99001', '--source', 'full', '--kind', 'post'], s.env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('![');
    expect(JSON.stringify(s.llm.requests[0]!.body['messages'])).not.toContain('图注');
  });
});
