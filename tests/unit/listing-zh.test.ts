/** The listing tier: answers in the shapes models send, batches, re-asks for what an answer left out, the cache. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Paper } from '../../src/arxiv/paper.js';
import { createCache } from '../../src/cache/cache.js';
import { DigestError } from '../../src/errors.js';
import { listInChinese } from '../../src/pipeline/listing-zh.js';
import { parseListing } from '../../src/render/parse-listing.js';
import { templateSet, type Template } from '../../src/templates/template.js';
import { makePaper } from '../helpers/paper.js';
import { lastAsk, RecordingLlm } from '../helpers/recording-llm.js';

const IDS = ['2606.00001', '2606.00002', '2606.00003'];
const want = (n: number) => ({ titleZh: `中文标题${n}`, summary: `一句话摘要${n}。` });

describe('parseListing: every reasonable shape', () => {
  const arr = IDS.map((id, i) => ({ id, title_zh: `中文标题${i + 1}`, summary: `一句话摘要${i + 1}。` }));
  const cases: Array<[string, string]> = [
    ['a bare JSON array', JSON.stringify(arr)],
    [
      'a fenced JSON array after a preamble',
      `好的，以下是结果：\n\n\`\`\`json\n${JSON.stringify(arr, null, 2)}\n\`\`\``,
    ],
    ['reasoning first', `<think>先看看每篇。</think>\n${JSON.stringify(arr)}`],
    [
      'an object keyed by id',
      JSON.stringify(Object.fromEntries(arr.map((x) => [x.id, { 标题: x.title_zh, 摘要: x.summary }]))),
    ],
    [
      '{"papers": [...]} without ids, in order',
      JSON.stringify({ papers: arr.map(({ title_zh, summary }) => ({ title: title_zh, summary })) }),
    ],
    ['numbered lines', arr.map((x, i) => `${i + 1}. ${x.title_zh}｜${x.summary}`).join('\n')],
    [
      '[n] lines with the id',
      arr.map((x, i) => `[${i + 1}] arXiv:${x.id} **${x.title_zh}** — ${x.summary}`).join('\n'),
    ],
    [
      'a title line, then a summary line',
      arr.map((x, i) => `${i + 1}. 标题：${x.title_zh}\n   摘要：${x.summary}`).join('\n'),
    ],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      expect(Object.fromEntries(parseListing(text, IDS))).toEqual({
        [IDS[0]!]: want(1),
        [IDS[1]!]: want(2),
        [IDS[2]!]: want(3),
      });
    });
  }

  it('an item without Chinese, or without a summary, counts as missing', () => {
    const text = JSON.stringify([
      { id: IDS[0], title_zh: 'English only', summary: 'x' },
      { id: IDS[1], title_zh: '中文标题2', summary: '' },
      { id: IDS[2], title_zh: '中文标题3', summary: '一句话摘要3。' },
    ]);
    expect([...parseListing(text, IDS).keys()]).toEqual([IDS[2]]);
  });
});

const paper = (id: string, n: number): Paper => makePaper({ id, title: `Paper ${n}`, abstract: `Abstract ${n}.` });

describe('listInChinese', () => {
  let tpl: Template;
  beforeAll(async () => {
    tpl = await templateSet(undefined).get('listing');
  });
  const papers = Array.from({ length: 45 }, (_, i) => paper(`2606.${String(i + 1).padStart(5, '0')}`, i + 1));
  const answerFor = (ask: string, keep: (n: number, count: number) => boolean = () => true) => {
    const ids = [...ask.matchAll(/\[(\d+)\] arXiv:(\S+)/g)].map((m) => m[2]!);
    return JSON.stringify(
      ids.filter((_, i) => keep(i, ids.length)).map((id) => ({ id, title_zh: `标题 ${id}`, summary: `摘要 ${id}。` })),
    );
  };
  const run = (llm: RecordingLlm, cache = createCache(mkdtempSync(path.join(os.tmpdir(), 'digest-listing-')))) => ({
    cache,
    result: listInChinese(papers, {
      tpl,
      llm,
      cache,
      signal: new AbortController().signal,
      limit: (f) => f(),
      logger: { info() {}, warn() {}, error() {}, verbose() {} } as never,
    }),
  });

  it('20 papers a call; a re-run asks nothing', async () => {
    const llm = new RecordingLlm((r) => answerFor(lastAsk(r)));
    const { cache, result } = run(llm);
    const got = await result;
    expect(llm.calls).toHaveLength(3);
    expect(got.size).toBe(45);
    expect(got.get('2606.00045')).toEqual({ titleZh: '标题 2606.00045', summary: '摘要 2606.00045。' });
    const again = new RecordingLlm(() => '[]');
    expect((await run(again, cache).result).size).toBe(45);
    expect(again.calls).toHaveLength(0);
  });

  it('papers an answer leaves out are asked again (together, then alone), never dropped', async () => {
    // the model answers only the first half of any batch of more than one paper
    const llm = new RecordingLlm((r) => answerFor(lastAsk(r), (i, count) => count === 1 || i < count / 2));
    const got = await run(llm).result;
    expect(got.size).toBe(45);
    const sizes = llm.calls.map((c) => [...lastAsk(c).matchAll(/\[\d+\] arXiv:/g)].length);
    expect(sizes.slice(0, 3).sort((a, b) => b - a)).toEqual([20, 20, 5]);
    expect(Math.max(...sizes.slice(3))).toBeLessThanOrEqual(10);
  });

  it('a batch that fails is asked again smaller; a fatal error stops it', async () => {
    let first = true;
    const flaky = new RecordingLlm((r) => {
      if (first) {
        first = false;
        return new DigestError('llm', 'the answer was cut twice');
      }
      return answerFor(lastAsk(r));
    });
    expect((await run(flaky).result).size).toBe(45);
    const fatal = new RecordingLlm(
      () => new DigestError('auth', 'the provider refused the API key (401)', { fatal: true }),
    );
    await expect(run(fatal).result).rejects.toThrow('401');
  });
});
