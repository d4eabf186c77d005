import { describe, expect, it } from 'vitest';
import { overviewProblems } from '../../src/check/overview.js';

const LIST = [
  '1. 稀疏注意力的新解法（Sparse Attention Revisited）：作者把推理速度提升了 2.3 倍。',
  '2. 多语言检索（Multilingual Retrieval at Scale）：在 18 种语言上评测。',
  '3. 机器人抓取（Grasping from Video）：成功率达到 87.5%。',
  '4. 代码生成评测（A Benchmark for Code Agents）：收集了 1,200 个任务。',
  '5. 长文本摘要（Long-Document Summarisation）：提出新的评价指标。',
].join('\n');
const day = { total: 5, paperList: LIST };
const page = (body: string) => `${body}\n\n### 必读推荐\n\n1. [1]：方法简洁。\n2. [3]：结果扎实。`;

describe('overview checked against the day', () => {
  it('an overview true to the day has no problems: counts, shares of the day, ranges of citations, figures from the papers', () => {
    const text = page(
      [
        '今天共有 5 篇论文，其中三篇与语言模型有关，约 60% 的工作给出了开源代码。',
        '',
        '### 效率与检索',
        '',
        '[1] 把推理速度提升了 2.3 倍，[2] 覆盖 18 种语言；[1-2] 都关注规模化。',
        '',
        '### 机器人与代码',
        '',
        '[3] 的成功率达到 87.5%，[4, 5] 关注评测（第 4 篇收集了 1,200 个任务）。',
      ].join('\n'),
    );
    expect(overviewProblems(text, day)).toEqual([]);
  });

  it('an invented day is found: a count above the day, a wrong total, a paper that does not exist, a share no count gives, a figure no paper states', () => {
    const text = page(
      [
        '今天一共有 7 篇论文，其中 37% 关注效率。',
        '',
        '### 效率',
        '',
        '[1] 与 [9] 把速度提升了 4 倍，另有十二篇讨论检索。',
      ].join('\n'),
    );
    const problems = overviewProblems(text, day);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('引用了不存在的论文编号 [9]：今天只有 5 篇，编号是 [1] 到 [5]');
    expect(problems[1]).toMatch(/^「今天一共有 7 篇论文，其中 37% 关注效率。」说有 7 篇，但今天一共是 5 篇/);
    expect(problems[2]).toMatch(/十二篇/);
    expect(problems.slice(3).map((p) => /中的 (.+?) 在给出的论文列表里找不到/.exec(p)?.[1])).toEqual(['37%', '4 倍']);
  });

  it('a count of some papers below the total is not a claim about the whole day; the total is', () => {
    expect(overviewProblems(page('### 检索\n\n有 2 篇论文关注检索 [2][4]。'), day)).toEqual([]);
    expect(overviewProblems(page('### 概况\n\n今天有 4 篇论文。'), day)).toHaveLength(1);
  });

  it('missing themes or must-reads are problems; a must-read under another name is not', () => {
    expect(overviewProblems('今天共有 5 篇论文。\n\n### 必读推荐\n\n1. [1]', day)).toEqual([
      '缺少主题：请用 ### 小标题把论文归纳成几个主题',
    ]);
    expect(overviewProblems('### 效率\n\n[1] 很快。', day)).toEqual([
      '缺少必读推荐：请在最后用 ### 必读推荐 列出最值得细读的几篇',
    ]);
    expect(overviewProblems('### 效率\n\n[1] 很快。\n\n**值得细读**\n\n- [1]', day)).toEqual([]);
  });
});
