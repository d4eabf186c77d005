/**
 * The pipeline in-process, with a recording model: what is asked, in which order, what a paper's post
 * is assembled from, what is cached, and how one paper's failure or a fatal error affects the others.
 * No server and no child process: these run in milliseconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseAtom } from '../../src/arxiv/parse-atom.js';
import type { Paper } from '../../src/arxiv/paper.js';
import { createCache, NO_CACHE, type Cache } from '../../src/cache/cache.js';
import { DigestError } from '../../src/errors.js';
import type { PaperText } from '../../src/fulltext/types.js';
import { composePost, type ComposeDeps } from '../../src/pipeline/compose-post.js';
import { writeOverview } from '../../src/pipeline/overview.js';
import type { TextAccess } from '../../src/pipeline/paper-text.js';
import { summaryLine } from '../../src/pipeline/report.js';
import { runPapers } from '../../src/pipeline/run-papers.js';
import { selectPapers } from '../../src/pipeline/select-papers.js';
import { frontMatterKeys } from '../../src/pipeline/digest-entries.js';
import { renderMarkdown, type PostResult } from '../../src/render/post.js';
import { templateSet, type Template } from '../../src/templates/template.js';
import type { Logger } from '../../src/ui/logger.js';
import { lastAsk, RecordingLlm, type Recorded } from '../helpers/recording-llm.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const fixture = (p: string) => readFileSync(new URL(p, FIXTURES), 'utf8');
const PAPER = parseAtom(fixture('arxiv/api-2026-idlist-single-1605.08386.xml')).papers[0]!;
const paperN = (n: number): Paper => ({ ...PAPER, id: `2611.1000${n}`, title: `Paper ${n}: ${PAPER.title}` });

let post: Template;
let qa: Template;
let questions: string[];
beforeAll(async () => {
  const set = templateSet(undefined);
  post = await set.get('post');
  qa = await set.get('qa');
  questions = qa.questions;
});

const POST_ANSWER = fixture('llm-shapes/post/01-control.md');
const QA_ANSWER = fixture('llm-shapes/qa/01-control-h3.md');

/** Answers like a well-behaved model: the post for the post template, all six answers for the Q&A. */
function wellBehaved(r: Recorded): string {
  const ask = lastAsk(r);
  const one = /第 (\d) 个问题/.exec(ask);
  if (one) return `这是对第 ${one[1]} 个问题的回答，只依据论文内容。`;
  if (/标题/.test(ask) && r.followUp) return '零值为何能骗过签名验证';
  return /这篇论文试图解决什么问题/.test(JSON.stringify(r.messages)) ? QA_ANSWER : POST_ANSWER;
}

const abstractOnly: TextAccess = {
  sourceFor: () => 'abstract',
  getText: async (p) => ({ source: 'abstract', sections: [{ heading: 'Abstract', text: p.abstract }], figures: [] }),
  contextTokens: 32_768,
};

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function diskCache(): Cache {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'digest-pipeline-'));
  tmpDirs.push(dir);
  return createCache(dir);
}

function deps(llm: RecordingLlm, o: Partial<ComposeDeps> = {}): ComposeDeps {
  let fatal: string | undefined;
  return {
    llm,
    limit: (fn) => fn(),
    signal: new AbortController().signal,
    stopped: () => fatal,
    stop: (err) => (fatal ??= err.message),
    cache: NO_CACHE,
    generator: 'arxiv-digest test',
    now: new Date('2026-11-25T00:00:00Z'),
    verbose: () => undefined,
    ...abstractOnly,
    ...o,
  };
}

describe('composePost: one paper through its templates', () => {
  it('asks once per template, with the paper in the prompt, and assembles title, lede, explainer and six answers', async () => {
    const llm = new RecordingLlm(wellBehaved);
    const r = await composePost(PAPER, [post, qa], deps(llm));
    expect(llm.calls).toHaveLength(2);
    for (const c of llm.calls) expect(JSON.stringify(c.messages)).toContain(PAPER.title.slice(0, 30));
    expect(r.titleZh).toBe('零，密码学里最“好笑”的数字');
    expect(r.summary).toContain('拆分零攻击');
    expect(r.explainer?.body).toContain('## 为什么零会出问题');
    expect(r.qa?.pairs.map((p) => p.question)).toEqual(questions);
    expect(r.qa?.pairs.every((p) => p.answer.length > 10)).toBe(true);
    expect(r.followUps).toBe(0);
    const md = renderMarkdown(r);
    expect(md).toMatch(/^arxiv_id: "?1605\.08386"?$/m);
    expect(md).toContain(`### ${questions[0]}\n\n`);
  });

  it('a Q&A answer missing question 5: only that question is asked, alone, on the same prefix', async () => {
    const missing = fixture('llm-shapes/qa/22-missing-q5.md');
    const llm = new RecordingLlm((r) =>
      /这篇论文试图解决什么问题/.test(JSON.stringify(r.messages)) && !r.followUp ? missing : wellBehaved(r),
    );
    const r = await composePost(PAPER, [qa], deps(llm));
    expect(llm.calls).toHaveLength(2);
    const [first, follow] = llm.calls;
    expect(follow!.followUp).toBe(true);
    // system → paper → the model's own answer → the one question
    expect(follow!.messages.slice(0, first!.messages.length)).toEqual(first!.messages);
    expect(follow!.messages.at(-2)).toEqual({ role: 'assistant', content: missing });
    expect(lastAsk(follow!)).toContain(questions[4]);
    expect(r.qa?.pairs[4]?.answer).toBe('这是对第 5 个问题的回答，只依据论文内容。');
    expect(r.followUps).toBe(1);
    expect(summaryLine([{ status: 'done', result: r }], llm)).toMatch(
      /2 LLM request\(s\).*1 follow-up request\(s\) for missing answers, titles or corrections/,
    );
  });

  it('a post with no title gets one from a short follow-up, not a rewrite', async () => {
    const untitled = fixture('llm-shapes/post/08-no-title-section-first.md');
    const llm = new RecordingLlm((r) => (r.followUp ? '零值为何能骗过签名验证' : untitled));
    const r = await composePost(PAPER, [post], deps(llm));
    expect(llm.calls.map((c) => c.followUp)).toEqual([false, true]);
    expect(r.titleZh).toBe('零值为何能骗过签名验证');
  });

  it('the question still unanswered after its follow-up fails the paper, naming the question', async () => {
    const missing = fixture('llm-shapes/qa/22-missing-q5.md');
    const llm = new RecordingLlm((r) => (r.followUp ? new DigestError('llm', 'the answer was empty twice') : missing));
    await expect(composePost(PAPER, [qa], deps(llm))).rejects.toThrow(`qa: no answer to question 5 (${questions[4]})`);
  });

  it('answers are cached per template: a second run asks nothing, a run after a failure asks only for what failed', async () => {
    const cache = diskCache();
    let qaFails = true;
    const llm = new RecordingLlm((r) =>
      /这篇论文试图解决什么问题/.test(JSON.stringify(r.messages)) && qaFails
        ? new DigestError('llm', 'the model went away')
        : wellBehaved(r),
    );
    await expect(composePost(PAPER, [post, qa], deps(llm, { cache }))).rejects.toThrow('the model went away');
    expect(llm.calls).toHaveLength(2);
    qaFails = false;
    const again = await composePost(PAPER, [post, qa], deps(llm, { cache }));
    expect(llm.calls).toHaveLength(3); // only the Q&A
    expect(again.cachedCalls).toBe(1);
    const third = await composePost(PAPER, [post, qa], deps(llm, { cache }));
    expect(llm.calls).toHaveLength(3);
    expect(third.cachedCalls).toBe(2);
    expect(third.titleZh).toBe(again.titleZh);
  });

  it('full text: the Q&A is asked one question at a time in one growing conversation', async () => {
    const full: PaperText = {
      source: 'html',
      sections: [{ heading: 'Introduction', text: 'We study zero values in BLS signatures. '.repeat(20) }],
      figures: [],
    };
    const text: TextAccess = {
      ...abstractOnly,
      sourceFor: (t) => (t.kind === 'qa' ? 'full' : 'abstract'),
      getText: async () => full,
    };
    const llm = new RecordingLlm(wellBehaved);
    const r = await composePost(PAPER, [qa], deps(llm, text));
    expect(llm.calls).toHaveLength(questions.length);
    llm.calls.forEach((c, n) => {
      expect(lastAsk(c)).toContain(questions[n]);
      expect(c.messages.filter((m) => m.role === 'assistant')).toHaveLength(n);
    });
    expect(JSON.stringify(llm.calls[0]!.messages)).toContain('We study zero values');
    expect(r.source).toBe('html');
    expect(r.qa?.pairs[2]?.answer).toBe('这是对第 3 个问题的回答，只依据论文内容。');
  });

  it('facts are checked against the text each template was given: a full-text figure does not pass an abstract post', async () => {
    const full: PaperText = {
      source: 'html',
      sections: [{ heading: 'Results', text: 'The attack succeeds in 88.1% of trials against BLS-Pairing-9.' }],
      figures: [],
    };
    const text: TextAccess = {
      ...abstractOnly,
      sourceFor: (t) => (t.kind === 'qa' ? 'full' : 'abstract'),
      getText: async () => full,
    };
    const llm = new RecordingLlm((r) =>
      /这篇论文试图解决什么问题/.test(JSON.stringify(r.messages))
        ? '攻击在 88.1% 的试验中成功，针对 BLS-Pairing-9。'
        : '# 零值攻击\n\n> 导语。\n\n攻击在 88.1% 的试验中成功，作者还测试了 Ed25519-X 与 30 个库。\n\n## 小结\n\n完。',
    );
    const r = await composePost(PAPER, [post, qa], deps(llm, text));
    expect(r.unverified.map((u) => [u.kind, u.claim, u.template])).toEqual([
      ['figure', '88.1%', 'post'],
      ['figure', '30', 'post'],
      ['name', 'Ed25519-X', 'post'],
    ]);
    expect(r.unverified[0]!.sentence).toBe('攻击在 88.1% 的试验中成功，作者还测试了 Ed25519-X 与 30 个库。');
    expect(renderMarkdown(r)).toMatch(
      /unverified_figures:\n\s+- 88\.1%\n\s+- "30"\n\s+unverified_names:\n\s+- Ed25519-X/,
    );
  });

  it('an answer with problems is sent back once with the list of what to fix; the corrected one is used', async () => {
    const bad = '# 零值攻击\n\n这篇论文研究了签名中的零值。';
    const llm = new RecordingLlm((r) => (r.followUp ? POST_ANSWER : bad));
    const r = await composePost(PAPER, [post], deps(llm));
    expect(llm.calls.map((c) => c.followUp)).toEqual([false, true]);
    const fix = lastAsk(llm.calls[1]!);
    expect(fix).toContain('你的回答有以下问题：\n1. 正文缺少分节：请按要求用几个 ## 小标题组织正文');
    expect(llm.calls[1]!.messages.at(-2)).toEqual({ role: 'assistant', content: bad });
    expect(r.problems).toEqual([]);
    expect(r.explainer?.body).toContain('## 为什么零会出问题');
    expect(renderMarkdown(r)).not.toMatch(/^draft:/m);
  });

  it('still wrong after the correction: the paid answer is kept, written as a draft with its problems', async () => {
    const english =
      'In this paper we propose a new method for training large language models with reinforcement learning from human feedback, and we show that it outperforms strong baselines on many benchmarks across several domains.';
    const bad = `# 零值攻击\n\n> 导语。\n\n## 方法\n\n${english}\n\n## 小结\n\n这是中文的小结，说明论文的意义。`;
    const llm = new RecordingLlm(() => bad);
    const r = await composePost(PAPER, [post], deps(llm));
    expect(llm.calls).toHaveLength(2);
    expect(r.problems).toEqual([expect.stringMatching(/^post: 这一段是英文，请改用中文写：「In this paper/)]);
    const md = renderMarkdown(r);
    expect(md).toMatch(/^draft: true$/m);
    expect(md).toMatch(/^\s+problems:\n\s+- "?post: 这一段是英文/m);
    expect(md).toContain(english);
    expect(renderMarkdown(r, { site: 'hugo', slug: 'x' })).toMatch(/^draft: true$/m);
    expect(renderMarkdown(r, { site: 'jekyll', slug: 'x' })).toMatch(/^published: false$/m);
  });

  it('"prompt too long": the full text is cut to a smaller budget and asked once more', async () => {
    const full: PaperText = {
      source: 'html',
      sections: Array.from({ length: 40 }, (_, i) => ({
        heading: `Section ${i}`,
        text: `Paragraph ${i} about zero. `.repeat(60),
      })),
      figures: [],
    };
    const text: TextAccess = { sourceFor: () => 'full', getText: async () => full, contextTokens: 16_000 };
    const llm = new RecordingLlm((r, n) =>
      n === 0 ? new DigestError('context', 'maximum context length exceeded') : wellBehaved(r),
    );
    const r = await composePost(PAPER, [post], deps(llm, text));
    expect(llm.calls).toHaveLength(2);
    expect(JSON.stringify(llm.calls[1]!.messages).length).toBeLessThan(JSON.stringify(llm.calls[0]!.messages).length);
    expect(r.titleZh).toBe('零，密码学里最“好笑”的数字');
  });
});

const quietLogger = (): Logger & { lines: string[] } => {
  const lines: string[] = [];
  const log = (m: string) => void lines.push(m);
  return { lines, info: log, warn: log, error: log, verbose: () => undefined } as unknown as Logger & {
    lines: string[];
  };
};
const noProgress = { stage: () => undefined, done: () => undefined, stop: () => undefined };

describe('runPapers: many papers, one limit', () => {
  const run = (llm: RecordingLlm, papers: Paper[], extra: Partial<Parameters<typeof runPapers>[0]> = {}) => {
    const delivered: PostResult[] = [];
    const logger = quietLogger();
    const outcomes = runPapers({
      papers,
      templates: [post],
      llm,
      cache: NO_CACHE,
      text: abstractOnly,
      concurrency: 2,
      now: new Date('2026-11-25T00:00:00Z'),
      signal: new AbortController().signal,
      logger,
      progress: noProgress,
      deliver: async (_i, r) => void delivered.push(r),
      ...extra,
    });
    return { outcomes, delivered, logger };
  };

  it("one paper failing does not lose the others; a deliver that throws counts as that paper's failure", async () => {
    const papers = [1, 2, 3, 4].map(paperN);
    const llm = new RecordingLlm((r) =>
      JSON.stringify(r.messages).includes('Paper 2:')
        ? new DigestError('llm', 'the answer was cut twice')
        : wellBehaved(r),
    );
    const { outcomes, delivered, logger } = run(llm, papers, {
      deliver: async (_i, r) => {
        if (r.paper.id === '2611.10004') throw new DigestError('output', 'cannot write 2611.10004.md (EACCES)');
      },
    });
    const got = await outcomes;
    expect(got.map((o) => o.status)).toEqual(['done', 'failed', 'done', 'failed']);
    expect(got[1]).toMatchObject({ reason: 'the answer was cut twice' });
    expect(got[3]).toMatchObject({ reason: 'cannot write 2611.10004.md (EACCES)' });
    expect(delivered).toHaveLength(0);
    expect(logger.lines).toContain('2611.10002v1: the answer was cut twice');
  });

  it('a fatal error (bad key) stops the run: papers not yet started are skipped without a request', async () => {
    const papers = [1, 2, 3, 4, 5, 6].map(paperN);
    const llm = new RecordingLlm(
      () => new DigestError('auth', 'the provider refused the API key (401)', { fatal: true }),
    );
    const { outcomes } = run(llm, papers, { concurrency: 1 });
    const got = await outcomes;
    expect(llm.calls.length).toBeLessThan(papers.length);
    expect(got.filter((o) => o.status === 'failed').length).toBe(llm.calls.length);
    expect(
      got.filter((o) => o.status === 'skipped').every((o) => o.status === 'skipped' && o.reason.includes('401')),
    ).toBe(true);
    expect(got.some((o) => o.status === 'skipped')).toBe(true);
  });

  it('papers in the skip map are not started and keep their reason', async () => {
    const llm = new RecordingLlm(wellBehaved);
    const { outcomes, delivered } = run(llm, [1, 2, 3].map(paperN), {
      skip: new Map([[1, 'post already in the folder']]),
    });
    const got = await outcomes;
    expect(got.map((o) => o.status)).toEqual(['done', 'skipped', 'done']);
    expect(llm.calls).toHaveLength(2);
    expect(delivered.map((r) => r.paper.id).sort()).toEqual(['2611.10001', '2611.10003']);
  });
});

describe('the day', () => {
  it('selectPapers: --match, --exclude and --authors, then --limit in arXiv order', () => {
    const papers = [1, 2, 3, 4].map(paperN).map((p, i) => ({
      ...p,
      title: ['Agents plan', 'Agent survey', 'Speech', 'Agents act'][i]!,
      authors: [{ name: i === 3 ? 'Ada Lovelace' : 'Alan Turing', affiliations: [] }],
    }));
    expect(
      selectPapers(papers, { match: /agent/i, exclude: /survey/i, authors: [], limit: undefined }).papers.map(
        (p) => p.title,
      ),
    ).toEqual(['Agents plan', 'Agents act']);
    expect(
      selectPapers(papers, {
        match: undefined,
        exclude: undefined,
        authors: ['lovelace'],
        limit: undefined,
      }).papers.map((p) => p.title),
    ).toEqual(['Agents act']);
    const limited = selectPapers(papers, { match: /agent/i, exclude: undefined, authors: [], limit: 2 });
    expect(limited).toEqual({ papers: papers.slice(0, 2), filtered: 1 });
  });

  it("the overview is asked once over the day's entries and cached by its messages", async () => {
    const cache = diskCache();
    const overview = await templateSet(undefined).get('overview');
    const llm = new RecordingLlm(() => '## 今日主题\n\n两篇论文都讨论签名中的零值。\n\n## 必读推荐\n\n[2]：结论清楚。');
    const entries = [1, 2].map((n) => ({
      id: `2611.1000${n}`,
      version: 1,
      titleZh: `标题${n}`,
      titleEn: `Title ${n}`,
      authors: ['A. Author'],
      abstract: `Abstract ${n}.`,
      summary: `摘要${n}。`,
      tags: ['cs.CR'],
      link: '',
    }));
    const req = {
      tpl: overview,
      entries,
      date: '2026-11-24',
      categories: ['cs.CR'],
      llm,
      cache,
      signal: new AbortController().signal,
    };
    const text = await writeOverview(req);
    expect(text).toEqual({
      text: '### 今日主题\n\n两篇论文都讨论签名中的零值。\n\n### 必读推荐\n\n[2]：结论清楚。',
      problems: [],
    });
    expect(JSON.stringify(llm.calls[0]!.messages)).toContain('标题2');
    expect(await writeOverview(req)).toEqual(text);
    expect(llm.calls).toHaveLength(1);
  });
});

describe('frontMatterKeys: the few values a day page needs from a post, without parsing the rest', () => {
  it('reads the same values as a whole parse, whatever layout a hand edit gave them', () => {
    const front = [
      'title: "一文读懂：检索增强的 #1 方法"',
      'date: 2026-06-02T00:00:00Z',
      'authors:',
      '- Alice',
      '- "Bob: Jr."',
      'summary: >-',
      '  第一行，',
      '  第二行。',
      '# a comment a reader left',
      'arxiv_id: "2606.01001"',
      'arxiv_version: 3',
      'digest:',
      '  title: not this one',
      '  summary: nor this',
    ].join('\n');
    const whole = parseYaml(front) as Record<string, unknown>;
    const some = frontMatterKeys(front, ['arxiv_id', 'arxiv_version', 'title', 'summary'])!;
    expect(some).toEqual({
      title: whole['title'],
      summary: whole['summary'],
      arxiv_id: whole['arxiv_id'],
      arxiv_version: whole['arxiv_version'],
    });
    expect(some['summary']).toBe('第一行， 第二行。');
    expect(some['title']).toBe('一文读懂：检索增强的 #1 方法');
  });
});
