import { describe, expect, it } from 'vitest';
import { chineseRatio, REASONING_MARK, stripThink, ThinkFilter } from '../../src/llm/text-checks.js';

const feed = (chunks: string[]) => {
  const f = new ThinkFilter();
  return chunks.map((c) => f.push(c)).join('') + f.end();
};

describe('reasoning never reaches the answer', () => {
  it.each([
    ['a block', '<think>hmm</think>\n\n答案', '答案'],
    ['two blocks', '<think>a</think>答<think>b</think>案', '答案'],
    ['no opening tag (R1)', 'let me think...\n</think>\n\n答案', '答案'],
    ['cut inside reasoning', '<think>never finished', ''],
    ['none at all', '答案', '答案'],
  ])('stripThink: %s', (_n, input, expected) => {
    expect(stripThink(input)).toBe(expected);
  });

  it('the live filter handles tags split across chunks', () => {
    expect(feed(['<th', 'ink>secret', ' stuff</th', 'ink>\n答', '案'])).toBe('答案');
    expect(feed(['答', '<', 'think>x</think>', '案'])).toBe('答案');
  });

  it('the live filter marks where unopened reasoning ended', () => {
    expect(feed(['thinking aloud', ' </thi', 'nk>答案'])).toBe(`thinking aloud \n\n${REASONING_MARK}\n\n答案`);
  });
});

describe('Chinese check', () => {
  it('counts Chinese characters against Latin words, ignoring math and code', () => {
    expect(chineseRatio('这是一篇关于指令调优（Instruction Tuning，IT）的中文文章。')).toBeGreaterThan(0.8);
    expect(chineseRatio('This answer drifted into English entirely.')).toBe(0);
    expect(chineseRatio('公式 $\\alpha + \\beta = \\gamma$ 和代码 `foo bar baz` 不计。')).toBe(1);
  });
});
