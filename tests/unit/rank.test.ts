/** Ranking against the reader's interests: the lexical ranker, the model's scores, and the interests' files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/arxiv/paper.js';
import { fromBibtex, fromCslJson, loadInterests, validateInterests, type Interests } from '../../src/rank/interests.js';
import { rankLexical } from '../../src/rank/lexical.js';
import { interestsText, parseScores, rankByModel, type ModelScore } from '../../src/rank/model.js';
import { makePaper } from '../helpers/paper.js';

const paper = (id: string, title: string, abstract: string, authors = ['A. Nobody']): Paper =>
  makePaper({ id, title, abstract, authors: authors.map((name) => ({ name, affiliations: [] })) });
const none: Interests = { description: '', keywords: [], exclude: [], authors: [], ids: [], examples: [] };
const DAY = [
  paper('1', 'Speech recognition for tonal languages', 'We train acoustic models for Mandarin speech recognition.'),
  paper('2', 'Graph neural networks for molecules', 'Message passing over molecular graphs.'),
  paper('3', 'A survey of speech synthesis', 'We review text-to-speech systems.'),
  paper('4', 'Retrieval augmented generation with long contexts', 'Retrieval for question answering.', [
    'Ada Lovelace',
  ]),
  paper('5', 'Low-resource speech translation', 'Speech translation for languages with little data.'),
];

describe('rankLexical', () => {
  it('examples pull their topic up; the nearest example is the reason', () => {
    const { ranked } = rankLexical(DAY, none, [
      { title: 'Speech recognition with few labels', abstract: 'Acoustic models for speech recognition.', from: 'x' },
    ]);
    expect(ranked[0]!.paper.id).toBe('1');
    expect(ranked[0]!.score).toBe(1);
    expect(ranked[0]!.reason).toBe('close to "Speech recognition with few labels"');
    expect(ranked.findIndex((r) => r.paper.id === '2')).toBeGreaterThan(2);
  });

  it('followed authors and keyword hits come first; a negative keyword drops the paper', () => {
    const { ranked, dropped } = rankLexical(
      DAY,
      { ...none, keywords: ['speech'], exclude: ['survey'], authors: ['lovelace'] },
      [],
    );
    expect(dropped.map((d) => [d.paper.id, d.reason])).toEqual([['3', 'negative keyword "survey"']]);
    expect(
      ranked
        .slice(0, 3)
        .map((r) => r.paper.id)
        .sort(),
    ).toEqual(['1', '4', '5']);
    expect(ranked.find((r) => r.paper.id === '4')!.reason).toBe('author followed: Ada Lovelace');
    expect(ranked.find((r) => r.paper.id === '5')!.reason).toBe('keyword "speech"');
    expect(ranked.at(-1)!.paper.id).toBe('2');
  });

  it('a keyword matches whole words only', () => {
    const { ranked } = rankLexical(
      [paper('9', 'Speechless models', 'Nothing here.')],
      { ...none, keywords: ['speech'] },
      [],
    );
    expect(ranked[0]!.reason).not.toContain('keyword');
  });
});

describe('parseScores: the shapes models send scores in', () => {
  const IDS = ['2606.00001', '2606.00002', '2606.00003'];
  const want = { '2606.00001': 9, '2606.00002': 4, '2606.00003': 0 };
  const arr = [
    { id: IDS[0], score: 9, reason: '正是读者关心的语音识别' },
    { id: IDS[1], score: 4, reason: '只在数据上沾边' },
    { id: IDS[2], score: 0, reason: '无关' },
  ];
  const cases: Array<[string, string]> = [
    ['a bare JSON array', JSON.stringify(arr)],
    [
      'fenced, after a preamble and reasoning',
      `<think>逐篇看。</think>好的：\n\`\`\`json\n${JSON.stringify(arr, null, 2)}\n\`\`\``,
    ],
    [
      'scores as strings "9/10" and Chinese keys',
      JSON.stringify(arr.map((x) => ({ 编号: x.id, 评分: `${x.score}/10`, 理由: x.reason }))),
    ],
    [
      'an object keyed by id',
      JSON.stringify(Object.fromEntries(arr.map((x) => [x.id, { relevance: x.score, why: x.reason }]))),
    ],
    [
      '{"results": [...]} in order, without ids',
      JSON.stringify({ results: arr.map(({ score, reason }) => ({ score, reason })) }),
    ],
    ['numbered lines "1. 9/10 — reason"', arr.map((x, i) => `${i + 1}. ${x.score}/10 — ${x.reason}`).join('\n')],
    [
      '[n] lines with the id and 评分',
      arr.map((x, i) => `[${i + 1}] arXiv:${x.id} 评分：${x.score} 分｜${x.reason}`).join('\n'),
    ],
    ['a 0–100 scale', JSON.stringify(arr.map((x) => ({ id: x.id, score: `${x.score * 10}/100`, reason: x.reason })))],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const got = parseScores(text, IDS);
      expect(Object.fromEntries([...got].map(([id, v]) => [id, v.score]))).toEqual(want);
      expect(got.get(IDS[0]!)!.reason).toBe('正是读者关心的语音识别');
    });
  }

  it('out-of-range scores are clamped; an item with no number is missing, not zero', () => {
    const got = parseScores(
      JSON.stringify([
        { id: IDS[0], score: 12, reason: 'x' },
        { id: IDS[1], score: 'high', reason: 'y' },
        { id: IDS[2], score: -3, reason: 'z' },
      ]),
      IDS,
    );
    expect([...got].map(([id, v]) => [id, v.score])).toEqual([
      [IDS[0], 10],
      [IDS[2], 0],
    ]);
  });
});

describe('rankByModel', () => {
  const scored = (m: Record<string, number>) => async (papers: Paper[]) =>
    new Map<string, ModelScore>(
      papers.filter((p) => p.id in m).map((p) => [p.id, { score: m[p.id]!, reason: `理由 ${p.id}` }]),
    );

  it("orders by the model's 0–10 (shown as 0–1, not relative to the best); its line is the reason", async () => {
    const { ranked } = await rankByModel(DAY, none, [], scored({ 1: 6, 2: 1, 3: 8, 4: 0, 5: 3 }), () => {});
    expect(ranked.map((r) => [r.paper.id, r.score, r.reason])).toEqual([
      ['3', 0.8, '理由 3'],
      ['1', 0.6, '理由 1'],
      ['5', 0.3, '理由 5'],
      ['2', 0.1, '理由 2'],
      ['4', 0, '理由 4'],
    ]);
  });

  it('keywords and authors still come first, negative keywords still drop; papers it never scored come last', async () => {
    const { ranked, dropped } = await rankByModel(
      DAY,
      { ...none, keywords: ['translation'], exclude: ['survey'] },
      [],
      scored({ 1: 9, 2: 7 }),
      () => {},
    );
    expect(dropped.map((d) => d.paper.id)).toEqual(['3']);
    expect(ranked.map((r) => r.paper.id)).toEqual(['5', '1', '2', '4']);
    expect(ranked.at(-1)!.reason).toBe('not scored by the model');
  });

  it('a model that scored nothing: ranked lexically, with a warning', async () => {
    const warnings: string[] = [];
    const { ranked } = await rankByModel(DAY, { ...none, keywords: ['molecules'] }, [], scored({}), (m) =>
      warnings.push(m),
    );
    expect(warnings).toEqual(['--rank llm: the model scored none of the 5 paper(s); ranked lexically instead']);
    expect(ranked[0]!.paper.id).toBe('2');
  });

  it('the interests as the model reads them', () => {
    const text = interestsText({ ...none, description: '语音', keywords: ['speech', 'ASR'], authors: ['Ada'] }, [
      { title: 'Speech  recognition\nwith few labels', abstract: '…', from: 'x' },
    ]);
    expect(text).toBe(
      '描述：语音\n关键词：speech、ASR\n关注的作者：Ada\n读者收藏的论文（标题）：\n- Speech recognition with few labels',
    );
  });
});

describe('interests files', () => {
  it('BibTeX: nested braces, quotes, @string and @comment skipped', () => {
    const bib = `@comment{ignore me}
@string{acl = "ACL"}
@inproceedings{smith2024,
  title = {Speech {Recognition} for {T}onal Languages},
  author = "Smith, A.",
  year = 2024,
  abstract = {We train {acoustic} models.}
}
@article{lee2023, title="Graph Networks", journal = acl}`;
    expect(fromBibtex(bib, 'lib.bib')).toEqual([
      { title: 'Speech Recognition for Tonal Languages', abstract: 'We train acoustic models.', from: 'lib.bib:3' },
      { title: 'Graph Networks', abstract: '', from: 'lib.bib:9' },
    ]);
  });

  it('a broken BibTeX file: exit 2 naming the file and line', () => {
    expect(() => fromBibtex('@article{a, title={ok}}\n\n@article{b,\n  title = {never closed,\n}', 'lib.bib')).toThrow(
      /^lib\.bib:3: @article entry is not closed/,
    );
    try {
      fromBibtex('@article{b, title = {x', 'lib.bib');
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('Zotero CSL-JSON, and a broken one named with its line', () => {
    expect(fromCslJson(JSON.stringify([{ title: 'T', abstract: 'A' }, { type: 'note' }]), 'z.json')).toEqual([
      { title: 'T', abstract: 'A', from: 'z.json item 1' },
    ]);
    expect(() => fromCslJson('[\n{"title": "T",}\n]', 'z.json')).toThrow(/^z\.json:2: not valid JSON/);
  });

  it('ids and files are told apart; a missing file is named; unknown keys are refused', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'digest-interests-'));
    writeFileSync(path.join(dir, 'lib.bib'), '@misc{a, title = {Speech}}');
    const i = await loadInterests({ papers: ['2404.16418', 'https://arxiv.org/abs/2401.00001v2', 'lib.bib'] }, dir);
    expect(i.ids).toEqual(['2404.16418', '2401.00001']);
    expect(i.examples.map((e) => e.title)).toEqual(['Speech']);
    await expect(loadInterests({ papers: ['nope.bib'] }, dir)).rejects.toThrow(
      /interests: nope\.bib: cannot read it \(ENOENT\)/,
    );
    expect(() => validateInterests({ keyword: ['x'] }, 'digest.config.json')).toThrow(
      /unknown key "interests\.keyword"/,
    );
    expect(() => validateInterests({ keywords: 'x' }, 'digest.config.json')).toThrow(
      /"interests\.keywords" must be a list/,
    );
  });
});
