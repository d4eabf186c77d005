/**
 * A fake OpenAI-compatible server on 127.0.0.1: JSON and SSE answers, the reasoning shapes providers
 * use, usage in each place they put it, and scripted failures. Records every request.
 * Its default writer produces a deterministic Chinese post or Q&A about the paper in the prompt.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { FakeBatches } from './fake-batches.js';
import { listenLocal } from './local-server.js';

export type UsagePlace = 'separate' | 'finish' | 'choice' | 'none';
export type ReasoningShape = 'none' | 'reasoning_content' | 'reasoning' | 'think' | 'think-no-open';

export type LlmStep =
  | {
      kind?: 'answer';
      /** Text to answer; default: written from the prompt. */
      text?: string;
      reasoning?: ReasoningShape;
      usage?: UsagePlace;
      finishReason?: string;
      /** Characters per streamed chunk. */
      chunk?: number;
    }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'cut' } // stream ends cleanly without finish_reason or [DONE]
  | { kind: 'reset' } // socket destroyed mid-stream
  | { kind: 'stall' } // headers sent, then silence
  | { kind: 'no-blank-end' } // the finish event is the last bytes, without its blank line or [DONE]
  | { kind: 'stream-error'; error: Record<string, unknown> }
  | { kind: 'raw'; contentType: string; body: string };

export interface LlmRecord {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeLlmOptions {
  /** Delay before the first byte of every answer. */
  latencyMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Applied to every request that has no scripted step. */
  defaults?: Extract<LlmStep, { kind?: 'answer' }>;
  /** The shape the fake model answers in (default 'asked': exactly as the prompt asks). */
  shape?: AnswerShape;
  /** Changes which shape 'mixed' gives each request. */
  seed?: number;
}

export class FakeLlm {
  readonly requests: LlmRecord[] = [];
  private readonly steps: LlmStep[] = [];
  /** Message-prefix fingerprints already seen, to report cached prompt tokens like OpenAI and DeepSeek. */
  private readonly seenPrefixes = new Set<string>();
  private readonly rules: Array<{ when: (body: Record<string, unknown>) => boolean; step: LlmStep }> = [];
  private stopServer: (() => Promise<void>) | undefined;
  url = '';
  /** The shape of the answers it writes (tests change it; reset() restores the option). */
  shape: AnswerShape;
  /** The shape each written answer took, in order (for 'mixed'). */
  readonly shapesUsed: AnswerShape[] = [];
  /** Whether POST /embeddings exists (a server without one answers 404, as most chat-only servers do). */
  embeddings = true;
  readonly embeddingRequests: Array<{ model?: string; input?: string | string[] }> = [];
  /** The Batch API (/files, /batches): each request line is answered as a normal request would be. */
  readonly batchApi = new FakeBatches((body) => writeFromPrompt(body, this.shapeFor(body)));

  constructor(private readonly opts: FakeLlmOptions = {}) {
    this.shape = opts.shape ?? 'asked';
  }

  /**
   * The shape a request is answered in. 'mixed': the shape follows from the request and the seed, so a run
   * repeats whatever the order; a model named "shape/<name>" (or "shape/mixed-<seed>") answers in that
   * shape, so tests can run side by side.
   */
  shapeFor(body: Record<string, unknown>): AnswerShape {
    const named = /^shape\/([a-z-]+?)(?:-(\d+))?$/.exec(String(body['model'] ?? ''));
    const asked = named?.[1] as AnswerShape | undefined;
    const seed = named?.[2] ?? this.opts.seed ?? 1;
    const pick = () =>
      createHash('sha256')
        .update(`${seed}:${JSON.stringify(body['messages'])}`)
        .digest()
        .readUInt32BE(0) % ANSWER_SHAPES.length;
    const wanted =
      asked && (asked === 'mixed' || (ANSWER_SHAPES as readonly string[]).includes(asked)) ? asked : this.shape;
    return wanted === 'mixed' ? ANSWER_SHAPES[pick()]! : wanted;
  }

  /** Queue steps; each request consumes one, then the default writer answers. */
  script(...steps: LlmStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  /** Answer every request that matches with `step` (until reset), before any scripted step. */
  when(match: (body: Record<string, unknown>) => boolean, step: LlmStep): this {
    this.rules.push({ when: match, step });
    return this;
  }

  /** Forget scripted steps, rules and recorded requests (between tests). */
  reset(): void {
    this.steps.length = 0;
    this.rules.length = 0;
    this.requests.length = 0;
    this.shapesUsed.length = 0;
    this.embeddingRequests.length = 0;
    this.embeddings = true;
    this.shape = this.opts.shape ?? 'asked';
    this.batchApi.reset();
  }

  async start(): Promise<string> {
    const { port, stop } = await listenLocal(http.createServer((req, res) => void this.handle(req, res)));
    this.stopServer = stop;
    this.url = `http://127.0.0.1:${port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    await this.stopServer?.();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    // decoded whole: a character split across two chunks must not become two replacement characters
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    if (this.batchApi.handle(req, bytes, res)) return;
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] }));
      return;
    }
    if (req.method === 'POST' && req.url?.endsWith('/embeddings') && this.embeddings) {
      const body = JSON.parse(raw) as { model?: string; input?: string | string[] };
      this.embeddingRequests.push(body);
      const inputs = Array.isArray(body.input) ? body.input : [String(body.input ?? '')];
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          model: body.model,
          data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: hashedBagOfWords(text) })),
          usage: { prompt_tokens: inputs.join(' ').length / 4, total_tokens: inputs.join(' ').length / 4 },
        }),
      );
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'invalid JSON body' } }));
      return;
    }
    this.requests.push({ path: req.url, headers: req.headers, body, at: Date.now() });
    const step = this.rules.find((r) => r.when(body))?.step ?? this.steps.shift() ?? this.opts.defaults ?? {};
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    const id = `chatcmpl-fake-${this.requests.length}`;
    const model = String(body['model'] ?? 'fake-model');
    const base = { id, object: 'chat.completion.chunk', created: 1_763_000_000, model };

    switch (step.kind) {
      case 'status':
        res.writeHead(step.status, {
          'content-type': 'application/json',
          'x-request-id': `req-${this.requests.length}`,
          ...step.headers,
        });
        res.end(
          typeof step.body === 'string'
            ? step.body
            : JSON.stringify(step.body ?? { error: { message: `status ${step.status}` } }),
        );
        return;
      case 'raw':
        res.writeHead(200, { 'content-type': step.contentType }).end(step.body);
        return;
      case 'stall':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        return; // never writes again
      default:
        break;
    }

    let text: string;
    if ('text' in step && step.text !== undefined) text = step.text;
    else {
      const shape = this.shapeFor(body);
      this.shapesUsed.push(shape);
      text = writeFromPrompt(body, shape);
    }
    const answer = step.kind === undefined || step.kind === 'answer' ? step : {};
    const reasoning = (answer as { reasoning?: ReasoningShape }).reasoning ?? 'none';
    const usagePlace = (answer as { usage?: UsagePlace }).usage ?? 'separate';
    const finish = (answer as { finishReason?: string }).finishReason ?? 'stop';
    const msgs = (body['messages'] as unknown[]) ?? [];
    const promptTokens = Math.ceil(JSON.stringify(msgs).length / 3);
    // the longest run of leading messages some earlier request already sent, in blocks of 128 tokens
    let cachedChars = 0;
    for (let k = msgs.length - 1; k >= 1; k--) {
      const key = JSON.stringify(msgs.slice(0, k));
      if (this.seenPrefixes.has(key)) {
        cachedChars = key.length;
        break;
      }
    }
    for (let k = 1; k <= msgs.length; k++) this.seenPrefixes.add(JSON.stringify(msgs.slice(0, k)));
    const cached = Math.floor(cachedChars / 3 / 128) * 128;
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: Math.ceil(text.length / 1.5),
      total_tokens: 0,
      prompt_tokens_details: { cached_tokens: cached },
      prompt_cache_hit_tokens: cached,
      prompt_cache_miss_tokens: promptTokens - cached,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const thought = '好的，我先想一想这篇论文讲了什么。Let me think about the structure first.';

    if (!body['stream']) {
      let content = text;
      const message: Record<string, unknown> = { role: 'assistant' };
      if (reasoning === 'think') content = `<think>\n${thought}\n</think>\n\n${text}`;
      if (reasoning === 'think-no-open') content = `${thought}\n</think>\n\n${text}`;
      if (reasoning === 'reasoning_content') message['reasoning_content'] = thought;
      if (reasoning === 'reasoning') message['reasoning'] = thought;
      message['content'] = content;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created: base.created,
          model,
          choices: [{ index: 0, message, finish_reason: finish }],
          ...(usagePlace === 'none' ? {} : { usage }),
        }),
      );
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const delta = (d: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      send({ ...base, choices: [{ index: 0, delta: d, finish_reason: null, ...extra }], usage: null });
    const size = (answer as { chunk?: number }).chunk ?? 24;
    const pieces = (s: string) => s.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
    res.write(': keep-alive\n\n');
    delta({ role: 'assistant', content: '' });
    if (reasoning === 'reasoning_content' || reasoning === 'reasoning') {
      for (const p of pieces(thought)) delta({ content: null, [reasoning]: p });
    }
    let content = text;
    if (reasoning === 'think') content = `<think>\n${thought}\n</think>\n\n${text}`;
    if (reasoning === 'think-no-open') content = `${thought}\n</think>\n\n${text}`;
    const all = pieces(content);
    const cutAt =
      step.kind === 'cut' || step.kind === 'reset' || step.kind === 'stream-error'
        ? Math.floor(all.length / 2)
        : all.length;
    for (const [i, p] of all.entries()) {
      if (i >= cutAt) break;
      delta({ content: p });
      if (this.opts.chunkDelayMs) await sleep(this.opts.chunkDelayMs);
    }
    if (step.kind === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (step.kind === 'cut') {
      res.end();
      return;
    }
    if (step.kind === 'stream-error') {
      send({ error: step.error });
      res.end('data: [DONE]\n\n');
      return;
    }
    const finishChunk: Record<string, unknown> = {
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: finish, ...(usagePlace === 'choice' ? { usage } : {}) }],
    };
    finishChunk['usage'] = usagePlace === 'finish' ? usage : null;
    if (step.kind === 'no-blank-end') {
      res.end(`data: ${JSON.stringify(finishChunk)}`);
      return;
    }
    send(finishChunk);
    if (usagePlace === 'separate') send({ ...base, choices: [], usage });
    res.end('data: [DONE]\n\n');
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The shapes real models answer in, instead of the one the prompt asks for. 'asked' is the prompt's own
 * shape; 'mixed' gives each request one of them, chosen by a hash of the request and a seed.
 */
export const ANSWER_SHAPES = [
  'asked',
  'h2',
  'bold',
  'list-bold',
  'qa-blocks',
  'q-number',
  'cn-numeral',
  'english',
  'paraphrased',
  'preamble',
  'fenced',
  'think',
  'json',
  'missing-one',
  'merged',
  'no-title',
  'plain-lede',
  'front-matter',
  'rules',
] as const;
export type AnswerShape = (typeof ANSWER_SHAPES)[number] | 'mixed';

const ENGLISH_QUESTIONS = [
  'What problem does this paper try to solve?',
  'What related work is there?',
  'How does the paper solve the problem?',
  'What experiments were done?',
  'What could be explored further?',
  'Summarise the main content of the paper.',
];
const PARAPHRASED = [
  '论文要解决的核心问题是什么',
  '相关工作',
  '论文提出的方法',
  '实验设计与结果',
  '未来可以探索的方向',
  '论文主要内容总结',
];
const CN_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function qaInShape(pairs: Array<{ q: string; a: string }>, shape: AnswerShape): string {
  const n = pairs.length;
  let list = pairs.map((p, i) => ({ ...p, i }));
  if (shape === 'missing-one' && n > 1) list = list.filter((p) => p.i !== n - 2);
  if (shape === 'merged' && n > 2) {
    const [a, b] = [list[n - 3]!, list[n - 2]!];
    list.splice(n - 3, 2, { q: `${a.q}${b.q}`, a: `${a.a}\n\n另外，${b.a}`, i: a.i });
  }
  if (shape === 'json')
    return JSON.stringify(
      list.map((p) => ({ question: p.q, answer: p.a })),
      null,
      2,
    );
  const block = (p: { q: string; a: string; i: number }) => {
    const k = p.i + 1;
    switch (shape) {
      case 'h2':
        return `## ${p.q.replace(/？$/, '')}\n\n${p.a}`;
      case 'bold':
        return `**${k}. ${p.q}**\n\n${p.a}`;
      case 'list-bold':
        return `${k}. **${p.q}**\n\n${p.a}`;
      case 'qa-blocks':
        return `Q: ${p.q}\nA: ${p.a}`;
      case 'q-number':
        return `Q${k}：${p.q}\nA${k}：${p.a}`;
      case 'cn-numeral':
        return `问题${CN_NUMERALS[p.i] ?? k}：${p.q}\n\n${p.a}`;
      case 'english':
        return `Question ${k}: ${ENGLISH_QUESTIONS[p.i] ?? p.q}\n\n${p.a}`;
      case 'paraphrased':
        return `### ${k}. ${n === 6 ? PARAPHRASED[p.i] : p.q}\n\n${p.a}`;
      default:
        return `### ${k}. ${p.q}\n\n${p.a}`;
    }
  };
  return shapeWrapper(list.map(block).join(shape === 'rules' ? '\n\n---\n\n' : '\n\n'), shape, 'qa');
}

function shapeWrapper(text: string, shape: AnswerShape, kind: 'qa' | 'post'): string {
  switch (shape) {
    case 'preamble':
      return `好的，下面${kind === 'qa' ? '逐一回答这些问题' : '是为您撰写的解读文章'}：\n\n${text}\n\n希望以上内容对您有所帮助！如需进一步了解，欢迎继续提问。`;
    case 'fenced':
      return `\`\`\`markdown\n${text}\n\`\`\``;
    case 'think':
      return `<think>\n先梳理论文的结构，再按要求组织回答。The user wants Chinese.\n</think>\n\n${text}`;
    default:
      return text;
  }
}

function postInShape(title: string, lede: string, body: string[], shape: AnswerShape): string {
  let head: string[];
  switch (shape) {
    case 'h2':
      head = [`## ${title}`, '', `> ${lede}`];
      break;
    case 'bold':
      head = [`**${title}**`, '', `> ${lede}`];
      break;
    case 'q-number':
    case 'cn-numeral':
      head = [`标题：${title}`, '', `> ${lede}`];
      break;
    case 'no-title':
      head = [`> ${lede}`];
      break;
    case 'plain-lede':
      head = [`# ${title}`, '', lede];
      break;
    case 'front-matter':
      head = ['---', `title: "${title}"`, 'tags: [arXiv]', '---', '', `> ${lede}`];
      break;
    default:
      head = [`# ${title}`, '', `> ${lede}`];
  }
  const sep = shape === 'rules' ? '\n\n---\n\n' : '\n\n';
  const sections = body
    .join('\n')
    .split(/\n(?=## )/)
    .map((x) => x.trim());
  return shapeWrapper(`${head.join('\n')}\n\n${sections.join(sep)}`, shape, 'post');
}

/** The answer to one question asked alone: some models echo the question first. */
function oneInShape(q: string, n: string, a: string, shape: AnswerShape): string {
  switch (shape) {
    case 'h2':
    case 'paraphrased':
      return `### ${n}. ${q}\n\n${a}`;
    case 'bold':
    case 'list-bold':
      return `**${q}**\n\n${a}`;
    case 'qa-blocks':
    case 'q-number':
      return `A：${a}`;
    default:
      return shapeWrapper(a, shape, 'qa');
  }
}

/** The fake model's writing: deterministic Chinese text built from the prompt's paper, in a shape. */
export function writeFromPrompt(body: Record<string, unknown>, shape: AnswerShape = 'asked'): string {
  const messages = (body['messages'] as Array<{ role: string; content: string }> | undefined) ?? [];
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  // asked to correct its answer: like many models, it sends the same answer again
  if (/^你的回答有以下问题/.test(user))
    return [...messages].reverse().find((m) => m.role === 'assistant')?.content ?? '';
  const batch = /<batch>\n([\s\S]*?)\n<\/batch>/.exec(user)?.[1];
  if (batch !== undefined && messages.some((m) => /"score"/.test(m.content)))
    return rankAnswer(batch, messages.map((m) => m.content).join('\n'), String(body['model'] ?? ''), shape);
  if (batch !== undefined) return listingAnswer(batch, String(body['model'] ?? ''), shape);
  const papers = /<papers>\n([\s\S]*?)\n<\/papers>/.exec(user)?.[1];
  if (papers !== undefined) {
    const n = papers.split('\n').filter((l) => /^\d+\./.test(l)).length;
    // a model that makes the day up: more papers than there are, a share of nothing, a paper [n + 4]
    if (/overview-invents/.test(String(body['model'] ?? '')))
      return [
        `今天共有 ${n + 5} 篇论文，其中 37% 关注方法改进。`,
        '',
        '### 主题一：方法与理论',
        '',
        `多篇论文提出了新的方法，例如 [1]、[${n + 4}]。`,
        '',
        '### 必读推荐',
        '',
        `1. [${n + 4}]：思路新颖。`,
      ].join('\n');
    return [
      `今天共有 ${n} 篇论文，整体上集中在方法改进与应用验证两个方向。（本综述由演示用的模拟模型生成。）`,
      '',
      '### 主题一：方法与理论',
      '',
      '多篇论文提出了新的方法或分析框架，例如 [1]。',
      '',
      '### 必读推荐',
      '',
      '1. [1]：问题清楚，思路简洁，适合作为当天的入门阅读。',
    ].join('\n');
  }
  const paperMsg = messages.find((m) => m.role === 'user' && m.content.includes('标题：'))?.content ?? user;
  const title = /标题：(.*)/.exec(paperMsg)?.[1]?.trim() || '这篇论文';
  if (/拟一个.{0,20}标题/.test(user)) return shape === 'bold' ? `**一文读懂：${title}**` : `一文读懂：${title}`;
  const one = /第\s*(\d+)\s*个问题[:：]\s*(.+)/.exec(user);
  if (one) {
    const sections = [...paperMsg.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
    const a = `关于“${title}”的第 ${one[1]} 个问题（${one[2]!.trim()}）：这是模拟模型的回答。${sections.length ? `论文正文包括${sections.length}个部分。` : '论文摘要给出了研究的目标与主要结论。'}\n\n- 要点一：论文说明了研究动机。\n- 要点二：论文概述了方法与结果。`;
    return oneInShape(one[2]!.trim(), one[1]!, a, shape);
  }
  const questions = [...user.matchAll(/^(\d+)\.\s+(.+)$/gm)].map((m) => m[2]!.trim());
  if (questions.length > 0) {
    return qaInShape(
      questions.map((q, i) => ({
        q,
        a: `关于“${title}”：这是模拟模型对第 ${i + 1} 个问题的回答。论文摘要给出了研究的目标与主要结论，更多细节需要查阅论文原文。\n\n- 要点一：摘要中说明了研究动机。\n- 要点二：摘要中概述了方法与结果。`,
      })),
      shape,
    );
  }
  return postInShape(
    `一文读懂：${title}`,
    `这篇论文围绕“${title}”展开研究。作者提出了自己的方法，并在摘要中报告了主要结论。`,
    [
      `想象一下，你在一座巨大的图书馆里找一本书，却没有目录可查。论文“${title}”关心的正是类似的难题：如何在复杂的问题里找到清晰的路径。`,
      '',
      '## 为什么这个问题重要',
      '',
      '现有方法在这类问题上往往代价高、结论不够稳健。作者希望给出一个更简单、更可靠的思路。',
      '',
      '## 核心思路',
      '',
      '论文的方法可以概括为三步：先明确问题的结构，再设计合适的工具，最后给出理论或实验上的验证。',
      '',
      '## 效果如何',
      '',
      '根据摘要，作者的方法达到了预期目标；具体数字请以论文原文为准。',
      '',
      '## 局限与展望',
      '',
      '- 摘要没有讨论更大规模场景下的表现。',
      '- 方法能否推广到其他领域，还有待进一步研究。',
      '',
      '## 小结',
      '',
      '总的来说，这项工作为一个老问题提供了新的视角，值得感兴趣的读者阅读原文。（本文由演示用的模拟模型生成。）',
      ...(/plant/.test(String(body['model'] ?? '')) ? ['', planted(title, user)] : []),
      // a model that quotes the paper's figures (the first two decimals it sees) and invents one
      ...(/figures/.test(String(body['model'] ?? ''))
        ? [
            '',
            `论文报告了 ${[...new Set(paperMsg.match(/\d+\.\d+/g) ?? [])]
              .filter((x) => Number(x) > 10)
              .slice(0, 2)
              .join(' 和 ')}，另有 55% 的提升。`,
          ]
        : []),
      // a model that writes mainland terms whatever the variant asked for
      ...(/mainland/.test(String(body['model'] ?? ''))
        ? ['', '作者用大语言模型处理数据，并公开了软件与信息检索的代码，视频演示见项目主页。']
        : []),
      ...(/图注/.test(user) ? ['', '图注：模拟模型翻译的关键图图注。'] : []),
    ],
    shape,
  );
}

/**
 * A listing answer: a JSON array in a fence (what real models send), or numbered lines when the model is
 * named ".../listing-lines"; a model named ".../listing-partial" leaves out the second half of any batch
 * of more than one paper, as real models do on long batches.
 */
function listingAnswer(batch: string, model: string, shape: AnswerShape): string {
  let items = [...batch.matchAll(/^\[(\d+)\] arXiv:(\S+)\n标题：(.*)$/gm)].map((m) => ({
    n: Number(m[1]),
    id: m[2]!,
    title: m[3]!.trim(),
  }));
  if (/listing-partial/.test(model) && items.length > 1) items = items.slice(0, Math.ceil(items.length / 2));
  if (/listing-lines/.test(model)) {
    return items.map((x) => `${x.n}. 速览：${x.title}｜这篇论文围绕“${x.title}”给出了新的方法与结果。`).join('\n');
  }
  const json = JSON.stringify(
    items.map((x) => ({
      id: x.id,
      title_zh: `速览：${x.title}`,
      summary: `这篇论文围绕“${x.title}”给出了新的方法与结果。`,
    })),
    null,
    2,
  );
  return shapeWrapper(`\`\`\`json\n${json}\n\`\`\``, shape, 'qa');
}

/**
 * A ranking answer: each paper scored by the words its title and abstract share with the reader's
 * interests (in the prompt before the batch), as a fenced JSON array; numbered lines ("3. 7/10 — …") when
 * the model is named ".../rank-lines"; ".../listing-partial" leaves out half of each batch here too.
 */
function rankAnswer(batch: string, prompt: string, model: string, shape: AnswerShape): string {
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z]{5,}/g) ?? []);
  const interests = words(prompt.slice(0, prompt.indexOf('<batch>')));
  let items = [...batch.matchAll(/^\[(\d+)\] arXiv:(\S+)\n标题：(.*)\n摘要：(.*)$/gm)].map((m) => {
    const shared = [...words(`${m[3]} ${m[4]}`)].filter((w) => interests.has(w));
    return {
      n: Number(m[1]),
      id: m[2]!,
      score: Math.min(10, shared.length),
      reason: `共同的词：${shared.slice(0, 3).join('、') || '无'}`,
    };
  });
  if (/listing-partial/.test(model) && items.length > 1) items = items.slice(0, Math.ceil(items.length / 2));
  if (/rank-lines/.test(model)) return items.map((x) => `${x.n}. ${x.score}/10 — ${x.reason}`).join('\n');
  return shapeWrapper(
    `\`\`\`json\n${JSON.stringify(
      items.map(({ n: _, ...x }) => x),
      null,
      2,
    )}\n\`\`\``,
    shape,
    'qa',
  );
}

/** A stand-in embedding: words hashed into 256 buckets, normalised, so shared words mean similar vectors. */
export function hashedBagOfWords(text: string): number[] {
  const v = new Array<number>(256).fill(0);
  for (const w of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) {
    v[createHash('md5').update(w).digest().readUInt8(0)]! += 1;
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/** Renderings other than the glossary's that real posts use (the fake's slips of terminology). */
export const TERM_SLIPS: Record<string, string> = {
  大语言模型: '大型语言模型',
  幻觉: '错觉',
  智能体: '代理',
  思维链: '思路链',
  上下文学习: '语境学习',
  少样本: '小样本',
  强化学习: '增强学习',
  监督微调: '有监督微调',
};

/** Which error a "plant" model puts into a paper's post: from its title, so a test can tell. */
export function plantKind(title: string): 'figure' | 'name' | 'term' | 'script' {
  let h = 0;
  for (const ch of title) h = (h * 31 + ch.codePointAt(0)!) % 1000003;
  return (['figure', 'name', 'term', 'script'] as const)[h % 4]!;
}

/** The glossary term of the prompt that the fake writes about (the first one it knows a slip for). */
export function plantedTerm(prompt: string): { en: string; zh: string; slip: string } | undefined {
  for (const m of prompt.matchAll(/^- (.+?)：(.+)$/gm)) {
    const slip = TERM_SLIPS[m[2]!.trim()];
    if (slip) return { en: m[1]!.trim(), zh: m[2]!.trim(), slip };
  }
  return undefined;
}

/**
 * A paragraph with one planted error: an invented figure, an invented model name, a term written
 * otherwise than the glossary, or Traditional characters; every post names its key term (in the
 * glossary's rendering unless the slip is planted), so a day shows the same term written two ways.
 */
function planted(title: string, prompt: string): string {
  const kind = plantKind(title);
  const term = plantedTerm(prompt);
  const termLine = term ? `文中的关键术语是“${kind === 'term' ? term.slip : term.zh}”。` : '';
  switch (kind) {
    case 'figure':
      return `据作者报告，准确率提升了 41.7%。${termLine}`;
    case 'name':
      return `作者还与 ZetaLM-9 做了对比。${termLine}`;
    case 'script':
      return `這篇論文的實驗設計很有參考價值。${termLine}`;
    default:
      return termLine || '作者对术语的使用很规范。';
  }
}
