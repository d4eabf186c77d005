/** Ranking against the reader's interests: the lexical ranker, and the interests' files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Paper } from '../../src/arxiv/paper.js';
import { fromBibtex, fromCslJson, loadInterests, validateInterests, type Interests } from '../../src/rank/interests.js';
import { rankLexical } from '../../src/rank/lexical.js';
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
