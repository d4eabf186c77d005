/** Is an answer publishable: Markdown that renders, Chinese throughout, one script, a real title, sections. */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkMarkdown, echoesInstructions, englishParagraphs, postProblems } from '../../src/check/answer.js';
import { repairMarkdown } from '../../src/check/markdown.js';
import { toSimplified, traditionalIn } from '../../src/check/script.js';
import { ownAnswer } from '../../src/pipeline/ask-template.js';
import { parsePost } from '../../src/render/parse-output.js';
import { templateSet, type Template } from '../../src/templates/template.js';

let post: Template;
let questions: string[];
beforeAll(async () => {
  post = await templateSet(undefined).get('post');
  questions = (await templateSet(undefined).get('qa')).questions;
});

describe('repairMarkdown', () => {
  it('an unclosed fence is closed before the next heading, not at the end', () => {
    const md = '## 方法\n\n```python\nx = 1\n\n## 效果如何\n\n效果很好。\n\n## 小结\n\n完。';
    const { text, problems } = repairMarkdown(md);
    expect(text).toBe('## 方法\n\n```python\nx = 1\n```\n\n## 效果如何\n\n效果很好。\n\n## 小结\n\n完。');
    expect(problems).toEqual([]);
  });

  it('a --- under a paragraph stays a rule; harmless inline HTML becomes Markdown; other HTML is a problem', () => {
    const { text, problems } = repairMarkdown(
      '第一段。\n---\n加<b>粗</b>与<br>换行，<sup>上标</sup>。\n\n<iframe src="x"></iframe>',
    );
    expect(text).toBe('第一段。\n\n---\n加**粗**与\n换行，上标。\n\n<iframe src="x"></iframe>');
    expect(problems).toEqual(['回答里有 HTML 标签（iframe），请只用 Markdown']);
  });

  it('math: an unclosed $$ or $ is a problem; money and code are not math', () => {
    expect(repairMarkdown('公式 $$E = mc^2\n\n完。').problems).toEqual(['有一个 $$ 公式没有闭合']);
    expect(repairMarkdown('损失 $L = \\sum_i x_i 很小。\n\n下一段。').problems).toEqual([
      '这一段的 $ 公式没有闭合：「损失 $L = \\sum_i x_i 很小。」',
    ]);
    expect(repairMarkdown('成本只要 $5，`echo $HOME` 与 $x$ 都没问题。').problems).toEqual([]);
  });
});

describe('language and script', () => {
  it('an English paragraph in a Chinese post is found, names and formulas in Chinese prose are not', () => {
    const english =
      'In this paper we propose a new method for training large language models with reinforcement learning from human feedback, and we show that it outperforms strong baselines on many benchmarks across several domains.';
    const md = `这是一段中文，提到了 GPT-4o、Llama-3 与 $O(n\\log n)$ 的复杂度。\n\n${english}\n\n## 小结\n\n完。`;
    expect(englishParagraphs(md)).toEqual([english]);
    expect(checkMarkdown(md, { requireChinese: true }).problems[0]).toMatch(
      /^这一段是英文，请改用中文写：「In this paper/,
    );
  });

  it('a title line naming the paper in English is not an English paragraph, in any of the layouts models use', () => {
    const title =
      'Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys toward the Galactic Bulge and Carina';
    for (const head of [
      `# 一文读懂：${title}`,
      `**一文读懂：${title}**`,
      `标题：一文读懂：${title}`,
      `---\ntitle: "一文读懂：${title}"\n---`,
    ])
      expect(englishParagraphs(`${head}\n\n> 这篇论文研究热木星的出现频率。`), head).toEqual([]);
    // the same words as a paragraph of prose are still found
    expect(englishParagraphs(`${title} is what we measure, and we report how often these planets occur.`)).toHaveLength(
      1,
    );
  });

  it('Traditional characters in a Simplified post are converted; a Simplified text is left as it is', () => {
    expect(traditionalIn('这篇論文提出了一個新方法')).toEqual(['論', '個']);
    expect(toSimplified('这篇論文提出了一個新的軟體框架')).toBe('这篇论文提出了一个新的软件框架');
    const clean = '这篇论文提出了一个新方法。';
    expect(toSimplified(clean)).toBe(clean);
  });
});

describe('the post', () => {
  it('a title that echoes the instructions is a problem; a real one is not', () => {
    expect(echoesInstructions('好的，以下是这篇论文的中文解读', post)).toBe(true);
    expect(echoesInstructions('标题：', post)).toBe(true);
    expect(echoesInstructions('零值为何能骗过签名验证？', post)).toBe(false);
  });

  it('a 59-character "post" with no sections is a problem; the well-formed one is not', () => {
    const tiny = '# 一个很短的标题\n\n这篇论文研究了签名验证中的零值问题，作者给出了一种攻击方法并证明了它有效。';
    expect(postProblems(parsePost(tiny), post)).toContain('正文缺少分节：请按要求用几个 ## 小标题组织正文');
    const good =
      '# 零值为何能骗过签名验证？\n\n> 作者发现零值会让签名验证失效。\n\n想象一下……这是导语后的第一段。\n\n## 为什么重要\n\n因为很多系统依赖它。\n\n## 小结\n\n总之，值得一读。';
    expect(postProblems(parsePost(good), post)).toEqual([]);
  });

  it("the template's length range is checked", () => {
    const ranged = { ...post, length: [50, 100] as [number, number] };
    const body = '## 一\n\n短文。\n\n## 二\n\n很短。';
    expect(postProblems({ titleZh: '零值问题', lede: '导语。', body }, ranged)).toEqual([
      '正文只有约 6 个汉字，太短：应在 50–100 字之间',
    ]);
  });
});

describe('one-by-one Q&A', () => {
  it('an answer that goes on to answer the other questions is cut to its own', () => {
    const answer = `这篇论文要解决签名验证中的零值问题。\n\n### 2. ${questions[1]}\n\n相关研究有很多。\n\n**${questions[2]}**\n\n方法如下。`;
    expect(ownAnswer(answer, questions, 0)).toBe('这篇论文要解决签名验证中的零值问题。');
    expect(ownAnswer('只有自己的回答。\n\n### 小标题\n\n继续。', questions, 0)).toBe(
      '只有自己的回答。\n\n### 小标题\n\n继续。',
    );
  });
});

describe('a layout is not a problem', () => {
  it('none of the 46 answers in the shapes real models use (fixtures/llm-shapes) is sent back or made a draft', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const qa = await templateSet(undefined).get('qa');
    const found: string[] = [];
    let n = 0;
    for (const kind of ['post', 'qa'] as const) {
      const dir = new URL(`../../fixtures/llm-shapes/${kind}/`, import.meta.url);
      for (const f of readdirSync(dir)) {
        n++;
        const tpl = kind === 'post' ? post : qa;
        const c = checkMarkdown(readFileSync(new URL(f, dir), 'utf8'), tpl);
        const problems = [...c.problems, ...(kind === 'post' ? postProblems(parsePost(c.text), tpl) : [])];
        if (problems.length) found.push(`${kind}/${f}: ${problems.join('; ')}`);
      }
    }
    expect(n).toBe(46);
    expect(found).toEqual([]);
  });
});
