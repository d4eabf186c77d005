/**
 * `digest fetch` and `digest daily` against a model that answers in every shape real models use
 * instead of the one the prompt asks for, and in a mix of them: every paper is written, with at most
 * one follow-up per missing part, and a re-run pays for nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { syntheticEntry } from '../fakes/fake-arxiv.js';
import { ANSWER_SHAPES, type AnswerShape } from '../fakes/fake-llm.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startServers, type Servers } from '../helpers/servers.js';
import { QUESTIONS } from '../helpers/questions.js';

// no reset between tests: they run side by side and tell their requests apart by the model's name
let s: Servers;
beforeAll(async () => {
  s = await startServers();
});
afterAll(() => s.stop());

const IDS = ['1605.08386', 'astro-ph/0601001', '2104.12255', '1707.08567', '1601.00001'];
const fm = (md: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(md)![1]!) as Record<string, unknown>;
const posts = (stdout: string) => stdout.split(/^(?=---\ntitle:)/m).filter((p) => p.trim());
const requestsOf = (model: string) => s.llm.requests.filter((r) => r.body['model'] === model);
const THU_MORNING = String(Date.parse('2026-09-24T14:00:00Z') / 1000);

/** What a model drifting in that shape costs: one follow-up for a missing title, one for a missing answer. */
function followUpsPerPaper(shape: AnswerShape): number {
  return (shape === 'no-title' ? 1 : 0) + (shape === 'missing-one' || shape === 'merged' ? 1 : 0);
}

/** A written post is whole: Chinese title, lede, explainer, six answers in order, no wrapper left over. */
function expectWholePost(md: string, merged = false) {
  const front = fm(md);
  expect(String(front['title'])).toBe(`一文读懂：${String(front['title_en'])}`);
  expect(String(front['summary'])).toMatch(/^这篇论文围绕/);
  expect(md).toContain('## 解读\n\n> 这篇论文围绕');
  expect(md).toContain('### 为什么这个问题重要');
  const qa = md.slice(md.indexOf('## 论文问答'));
  let at = 0;
  for (const [i, q] of QUESTIONS.entries()) {
    const h = qa.indexOf(`### ${q}\n\n`, at);
    expect(h, `question ${i + 1}`).toBeGreaterThan(at - 1);
    const next = i + 1 < QUESTIONS.length ? qa.indexOf(`### ${QUESTIONS[i + 1]}`, h) : qa.length;
    const answer = qa.slice(h + q.length + 6, next);
    expect(answer, `answer ${i + 1}`).toMatch(new RegExp(`第 ${i + 1} 个问题`));
    if (!merged) expect(answer).not.toMatch(new RegExp(`第 (?!${i + 1} )\\d 个问题`));
    at = h + 1;
  }
  const body = md.slice(md.indexOf('\n---\n', 4) + 5);
  for (const leftover of [
    '好的，下面',
    '希望以上',
    '```',
    '<think>',
    'think>',
    'Question 1',
    'A：',
    'Q:',
    'title:',
    '问题一：',
    '[{',
    '"answer"',
  ]) {
    expect(body, leftover).not.toContain(leftover);
  }
  expect(body.split('\n').filter((l) => l.trim() === '---')).toHaveLength(0); // no rule the model added
}

describe.concurrent('digest fetch: five papers, the model answering in one shape', () => {
  for (const shape of ANSWER_SHAPES) {
    it(`shape "${shape}": all five written, ${2 + followUpsPerPaper(shape)} requests a paper, a re-run pays nothing`, async () => {
      const model = `shape/${shape}`;
      const env = s.env({ DIGEST_MODEL: model });
      const r = await runCli(['fetch', ...IDS, '--concurrency', '4'], env);
      expect(r.code, r.stderr).toBe(0);
      const got = posts(r.stdout);
      expect(got.map((p) => fm(p)['arxiv_id'])).toEqual(IDS);
      for (const p of got) expectWholePost(p, shape === 'merged');
      expect(requestsOf(model)).toHaveLength(IDS.length * (2 + followUpsPerPaper(shape)));
      expect(r.stderr).toContain('5 of 5 done, 0 skipped, 0 failed');
      if (followUpsPerPaper(shape))
        expect(r.stderr).toMatch(
          /5 follow-up request\(s\) for missing answers, titles or corrections \(tokens in \d+, out \d+\)/,
        );

      const again = await runCli(['fetch', ...IDS], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe(r.stdout);
      expect(requestsOf(model)).toHaveLength(IDS.length * (2 + followUpsPerPaper(shape)));
    });
  }
});

describe.concurrent('digest daily: a day of papers, the model answering in one shape', () => {
  for (const shape of ANSWER_SHAPES) {
    it(`shape "${shape}": every post and the digest page written`, async () => {
      const model = `shape/${shape}-2`; // not the fetch test's model: their requests are counted apart
      const dir = tempDir();
      const env = s.env({
        DIGEST_MODEL: model,
        DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'),
        SOURCE_DATE_EPOCH: THU_MORNING,
      });
      const r = await runCli(['daily', 'cs.LG', 'cs.AI', '-o', dir], env);
      expect(r.code, r.stderr).toBe(0);
      const files = readdirSync(dir)
        .filter((f) => /^\d{4}\.\d{5}\.md$/.test(f))
        .sort();
      expect(files).toEqual(['2609.26811.md', '2609.26820.md']);
      for (const f of files) expectWholePost(readFileSync(path.join(dir, f), 'utf8'), shape === 'merged');
      const page = readFileSync(path.join(dir, '2026-09-23-cs.LG+cs.AI.md'), 'utf8');
      expect(page).toContain('### [1] [一文读懂：The Drift Contract');
      expect(requestsOf(model)).toHaveLength(2 * (2 + followUpsPerPaper(shape)) + 1);
    });
  }
});

describe('a model that mixes shapes from request to request', () => {
  it('fetch: every paper written, at most one follow-up per missing part, the re-run makes 0 requests', async () => {
    const model = 'shape/mixed-7';
    const env = s.env({ DIGEST_MODEL: model });
    const ids = [...IDS, '2404.16418', '2001.08361', '1706.03762'].filter((id, i, a) => a.indexOf(id) === i);
    for (const id of ids.slice(IDS.length))
      s.arxiv.add(
        syntheticEntry(
          id,
          `A Synthetic Study ${id}`,
          `We study case ${id} with a new method and report what it finds.`,
        ),
      );
    const r = await runCli(['fetch', ...ids, '--concurrency', '4'], env);
    expect(r.code, r.stderr).toBe(0);
    const got = posts(r.stdout);
    expect(got).toHaveLength(ids.length);
    for (const p of got) expectWholePost(p, true);
    const used = new Set(s.llm.shapesUsed);
    expect(used.size).toBeGreaterThanOrEqual(8); // the mix really mixed
    const n = requestsOf(model).length;
    expect(n).toBeGreaterThanOrEqual(ids.length * 2);
    expect(n).toBeLessThanOrEqual(ids.length * 4);

    const again = await runCli(['fetch', ...ids], env);
    expect(again.code).toBe(0);
    expect(requestsOf(model)).toHaveLength(n);
  });

  it('fetch with full text: one question at a time, echoed questions and A: prefixes removed', async () => {
    const model = 'shape/mixed-3';
    const html = readFileSync(new URL('../../fixtures/fulltext/latexml-2609.99001v1.html', import.meta.url), 'utf8');
    s.arxiv.documents.set('/html/1605.08386v1', { contentType: 'text/html; charset=utf-8', body: html });
    const env = s.env({ DIGEST_MODEL: model });
    const r = await runCli(['fetch', '1605.08386'], env);
    s.arxiv.documents.delete('/html/1605.08386v1');
    expect(r.code, r.stderr).toBe(0);
    expectWholePost(r.stdout, true);
    expect(fm(r.stdout)['digest']).toMatchObject({ source: 'html' });
    expect(requestsOf(model)).toHaveLength(1 + QUESTIONS.length + (r.stderr.includes('follow-up') ? 1 : 0));
  });
});

describe('a paid answer is never paid for twice', () => {
  const lastUser = (body: Record<string, unknown>) => {
    const m = body['messages'] as Array<{ role: string; content: string }>;
    return [...m].reverse().find((x) => x.role === 'user')!.content;
  };

  it('the follow-up for a missing answer fails: the paper fails naming the question; the re-run pays only for the follow-up', async () => {
    const model = 'shape/missing-one-5';
    let failing = true;
    s.llm.when((b) => failing && b['model'] === model && /第 5 个问题/.test(lastUser(b)), {
      kind: 'status',
      status: 400,
      body: { error: { message: 'bad request' } },
    });
    const env = s.env({ DIGEST_MODEL: model });
    const r = await runCli(['fetch', '1605.08386'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('0 of 1 done, 0 skipped, 1 failed');
    expect(r.stderr).toMatch(
      /error: 1605\.08386v1: qa: no answer to question 5 \(有什么可以进一步探索的点？\): the LLM endpoint answered 400/,
    );
    expect(requestsOf(model)).toHaveLength(3); // post, qa, the follow-up for question 5
    failing = false;
    const again = await runCli(['fetch', '1605.08386'], env);
    expect(again.code, again.stderr).toBe(0);
    expectWholePost(again.stdout);
    const after = requestsOf(model).slice(3);
    expect(after).toHaveLength(1); // only the follow-up: the post and the all-at-once answer come from the cache
    expect(lastUser(after[0]!.body)).toMatch(/第 5 个问题/);
  });

  it('one question at a time, the fourth refused: the re-run asks only from the fourth on', async () => {
    const model = 'shape/asked-9';
    let failing = true;
    s.llm.when((b) => failing && b['model'] === model && /第 4 个问题/.test(lastUser(b)), {
      kind: 'status',
      status: 400,
      body: { error: { message: 'Content Exists Risk' } },
    });
    const html = readFileSync(new URL('../../fixtures/fulltext/latexml-2609.99001v1.html', import.meta.url), 'utf8');
    s.arxiv.documents.set('/html/2104.12255v1', { contentType: 'text/html; charset=utf-8', body: html });
    try {
      const env = s.env({ DIGEST_MODEL: model });
      const r = await runCli(['fetch', '2104.12255', '--kind', 'qa'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('content moderation');
      expect(requestsOf(model)).toHaveLength(4);
      failing = false;
      const again = await runCli(['fetch', '2104.12255', '--kind', 'qa'], env);
      expect(again.code, again.stderr).toBe(0);
      const asked = requestsOf(model)
        .slice(4)
        .map((q) => /第 (\d) 个问题/.exec(lastUser(q.body))?.[1]);
      expect(asked).toEqual(['4', '5', '6']);
      expect(again.stderr).toContain('3 answer(s) from cache');
    } finally {
      s.arxiv.documents.delete('/html/2104.12255v1');
    }
  });
});
