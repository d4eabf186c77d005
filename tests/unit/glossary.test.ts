import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { markClaims } from '../../src/check/facts.js';
import { simplifiedLeft, toVariant } from '../../src/check/script.js';
import { checkTerms, dayTermFindings } from '../../src/check/terms.js';
import { glossaryBlock, loadGlossary, parseGlossary, termsIn } from '../../src/templates/glossary.js';

const builtin = loadGlossary(undefined);
const byEn = (en: string) => builtin.find((t) => t.en === en)!;

describe('the glossary', () => {
  it('the built-in file has a few hundred entries, each with a Chinese rendering', () => {
    expect(builtin.length).toBeGreaterThan(300);
    expect(byEn('instruction tuning').zh).toBe('指令微调');
    expect(byEn('hallucination')).toMatchObject({ zh: '幻觉', variants: ['错觉'] });
    expect(byEn('in-context learning').zh).toBe('上下文学习');
    expect(byEn('large language model').tw).toBe('大型語言模型');
  });

  it('only the terms a paper uses, most specific first, a term inside a longer one left out', () => {
    const abstract =
      'We study Supervised Fine-Tuning of large language models and find that in context learning reduces hallucinations.';
    const found = termsIn(abstract, builtin).map((t) => t.en);
    expect(found).toContain('supervised fine-tuning');
    expect(found).not.toContain('fine-tuning');
    expect(found).toContain('large language model'); // plural, any case
    expect(found).toContain('in-context learning'); // a space for the hyphen
    expect(found).toContain('hallucination');
    expect(found).not.toContain('language model');
    expect(glossaryBlock(termsIn(abstract, builtin), 'zh-TW')).toContain('- large language model：大型語言模型');
  });

  it("a user's file overrides and removes entries; a broken one is refused naming the file and line", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'glossary-'));
    const mine = path.join(dir, 'mine.yaml');
    writeFileSync(
      mine,
      'hallucination: 幻象\nagent: null\nprompt engineering: { zh: 提示工程, variants: [提示词工程] }\n',
    );
    const terms = loadGlossary(mine);
    expect(terms.find((t) => t.en === 'hallucination')!.zh).toBe('幻象');
    expect(terms.find((t) => t.en === 'agent')).toBeUndefined();
    expect(() => parseGlossary('agent: 智能体\nhallucination: { zh: 幻觉, colour: red }\n', 'bad.yaml')).toThrow(
      /^glossary bad.yaml:2: "hallucination": unknown field "colour"/,
    );
    expect(() => parseGlossary('x: [\n', 'broken.yaml')).toThrow(/^glossary broken.yaml(:\d+)?: not valid YAML/);
    expect(() => parseGlossary('agent: agent\n', 'en.yaml')).toThrow(/zh must be Chinese text/);
  });
});

describe('terms in the writing', () => {
  const terms = [byEn('hallucination'), byEn('supervised fine-tuning'), byEn('large language model')];
  it('a rendering other than the glossary is reported; two in one post too; the glossary one is not', () => {
    expect(checkTerms('模型会产生幻觉。', terms).findings).toEqual([]);
    expect(checkTerms('模型会产生错觉。', terms).findings).toEqual(['hallucination: 写作「错觉」，术语表为「幻觉」']);
    expect(checkTerms('幻觉，也就是错觉。', terms).findings).toEqual([
      'hallucination: 一篇里有 2 种译法（幻觉、错觉），术语表为「幻觉」',
    ]);
    // 有监督微调 contains 监督微调: one rendering, not two
    expect(checkTerms('作者先做有监督微调。', terms).usage).toEqual({ 'supervised fine-tuning': ['有监督微调'] });
    // Traditional text is compared in Simplified form; zh-TW expects the Taiwan rendering
    expect(checkTerms('大型語言模型會產生幻覺。', terms, 'zh-TW').findings).toEqual([]);
    expect(checkTerms('大语言模型会产生幻觉。', terms, 'zh-TW').findings).toEqual([
      'large language model: 写作「大语言模型」，术语表为「大型语言模型」',
    ]);
  });

  it('across a day: a term written two ways is one line naming the posts of each', () => {
    expect(
      dayTermFindings([
        { id: '2606.1', usage: { hallucination: ['幻觉'] } },
        { id: '2606.2', usage: { hallucination: ['错觉'] } },
        { id: '2606.3', usage: { hallucination: ['幻觉'], agent: ['智能体'] } },
      ]),
    ).toEqual(['hallucination: 今天的文章有 2 种译法：「幻觉」（2606.1, 2606.3）；「错觉」（2606.2）']);
  });
});

describe('variants', () => {
  it('zh-TW: Traditional characters and Taiwan phrases, the glossary Taiwan rendering; nothing Simplified left', () => {
    const out = toVariant('我们用大语言模型处理数据，并公开了软件。', 'zh-TW', [byEn('large language model')]);
    expect(out).toBe('我們用大型語言模型處理資料，並公開了軟體。');
    expect(simplifiedLeft(out)).toEqual([]);
    expect(simplifiedLeft('我們用大语言模型處理資料')).toEqual(['语']);
    // a character both scripts use is not Simplified-only where the converter keeps it
    expect(simplifiedLeft('為了解決干擾')).toEqual([]);
  });
  it('zh-HK and zh-CN', () => {
    expect(toVariant('软件与信息', 'zh-HK')).toBe('軟件與信息');
    expect(toVariant('這篇論文提出了新方法', 'zh-CN')).toBe('这篇论文提出了新方法');
  });
});

describe('--strict marks', () => {
  it('each unsupported claim is marked once where it stands; code, math and links are left alone', () => {
    expect(markClaims('准确率提升了 41.7%，比 GPT-9 好。再说一次 41.7%。', ['41.7%', 'GPT-9'])).toBe(
      '准确率提升了 41.7%（待核实），比 GPT-9（待核实） 好。再说一次 41.7%（待核实）。',
    );
    expect(markClaims('已标 41.7%（待核实）', ['41.7%'])).toBe('已标 41.7%（待核实）');
    expect(markClaims('`41.7%` 与 $41.7\\%$ 与 [链接](https://x.org/41.7%)', ['41.7%'])).toBe(
      '`41.7%` 与 $41.7\\%$ 与 [链接](https://x.org/41.7%)',
    );
    // a claim that is the start of a longer figure is not marked inside it
    expect(markClaims('提升 41.75%', ['41.7'])).toBe('提升 41.75%');
  });
});
