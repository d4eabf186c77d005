/**
 * The parsers over a corpus of answers written the way real models send them (fixtures/llm-shapes/):
 * numbered or not, Q/A blocks, bold, JSON, fenced, with preambles, reasoning, sign-offs, a question
 * missing or two merged. Each of the six answers is checked by its text, so a wrong split fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePost } from '../../src/render/parse-output.js';
import { cleanSingleAnswer, parseQa } from '../../src/render/parse-qa.js';
import { QUESTIONS } from '../helpers/questions.js';

const DIR = new URL('../../fixtures/llm-shapes/', import.meta.url);

interface Expected {
  qa: Record<string, { answers: Array<string | null>; absent?: string[] }>;
  post: Record<string, { title: string | null; lede: string | null; body?: string[]; absent?: string[] }>;
}
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8')) as Expected;
const read = (kind: string, file: string) => readFileSync(new URL(`${kind}/${file}`, DIR), 'utf8');

describe('the corpus itself', () => {
  it('has at least 25 Q&A answers and every file has its expectations', () => {
    const qa = readdirSync(new URL('qa/', DIR)).filter((f) => f.endsWith('.md'));
    const post = readdirSync(new URL('post/', DIR)).filter((f) => f.endsWith('.md'));
    expect(qa.length).toBeGreaterThanOrEqual(25);
    expect(post.length).toBeGreaterThanOrEqual(10);
    expect(Object.keys(expected.qa).sort()).toEqual(qa.sort());
    expect(Object.keys(expected.post).sort()).toEqual(post.sort());
  });
});

describe('parseQa over every Q&A shape in the corpus', () => {
  for (const [file, want] of Object.entries(expected.qa)) {
    it(file, () => {
      const { answers } = parseQa(read('qa', file), QUESTIONS);
      expect(answers).toHaveLength(QUESTIONS.length);
      for (const [i, snippet] of want.answers.entries()) {
        if (snippet === null) {
          expect(answers[i], `question ${i + 1} should be missing`).toBeUndefined();
          continue;
        }
        expect(answers[i], `question ${i + 1}`).toBeDefined();
        expect(answers[i], `question ${i + 1}`).toContain(snippet);
        // and no other answer took it
        for (const [k, other] of answers.entries())
          if (k !== i && other) expect(other, `question ${k + 1}`).not.toContain(snippet);
      }
      for (const a of answers.filter((x): x is string => x !== undefined)) {
        for (const bad of want.absent ?? []) expect(a).not.toContain(bad);
        expect(a).not.toMatch(/^\s*(A|答|回答)\s*\d*\s*[:：]/);
        expect(a).not.toMatch(/<\/?think>|^```/m);
        expect(a).not.toMatch(/^ {4}\S/m); // an indent that Markdown would turn into a code block
      }
    });
  }
});

describe('parsePost over every post shape in the corpus', () => {
  for (const [file, want] of Object.entries(expected.post)) {
    it(file, () => {
      const p = parsePost(read('post', file));
      expect(p.titleZh).toBe(want.title ?? '');
      if (want.lede === null) expect(p.lede).toBe('');
      else expect(p.lede).toContain(want.lede);
      for (const b of want.body ?? []) expect(p.body).toContain(b);
      for (const bad of want.absent ?? []) expect(p.body).not.toContain(bad);
      expect(p.body).not.toMatch(/^\s*---\s*$/m);
      if (want.title) expect(p.body).not.toContain(want.title);
    });
  }
});

describe('cleanSingleAnswer (one question asked alone)', () => {
  const q = '论文做了哪些实验？';
  it.each([
    ['### 4. 论文做了哪些实验？\n\n作者在三个数据集上做了对比。', '作者在三个数据集上做了对比。'],
    ['**论文做了哪些实验？**\n作者在三个数据集上做了对比。', '作者在三个数据集上做了对比。'],
    ['A：作者在三个数据集上做了对比。', '作者在三个数据集上做了对比。'],
    ['Q4：论文做了哪些实验？\nA4：作者在三个数据集上做了对比。', '作者在三个数据集上做了对比。'],
    ['```markdown\n作者在三个数据集上做了对比。\n```', '作者在三个数据集上做了对比。'],
    ['作者在三个数据集上做了对比。\n\n希望以上回答对您有帮助！', '作者在三个数据集上做了对比。'],
    ['### 实验设置\n作者在三个数据集上做了对比。', '### 实验设置\n作者在三个数据集上做了对比。'],
  ])('%j', (raw, want) => {
    expect(cleanSingleAnswer(raw, q)).toBe(want);
  });
});
