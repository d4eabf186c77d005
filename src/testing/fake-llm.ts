/**
 * A fake OpenAI-compatible server on 127.0.0.1: JSON and SSE answers, the reasoning shapes providers
 * use, usage in each place they put it, and scripted failures. Records every request.
 * Its default writer produces a deterministic Chinese post or Q&A about the paper in the prompt.
 */
import http from 'node:http';
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
}

export class FakeLlm {
  readonly requests: LlmRecord[] = [];
  private readonly steps: LlmStep[] = [];
  /** Message-prefix fingerprints already seen, to report cached prompt tokens like OpenAI and DeepSeek. */
  private readonly seenPrefixes = new Set<string>();
  private readonly rules: Array<{ when: (body: Record<string, unknown>) => boolean; step: LlmStep }> = [];
  private stopServer: (() => Promise<void>) | undefined;
  url = '';

  constructor(private readonly opts: FakeLlmOptions = {}) {}

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
    let raw = '';
    for await (const c of req) raw += c as string;
    if (req.method === 'GET' && req.url?.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] }));
      return;
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } }));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'invalid JSON body' } }));
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
        res.writeHead(step.status, { 'content-type': 'application/json', 'x-request-id': `req-${this.requests.length}`, ...step.headers });
        res.end(typeof step.body === 'string' ? step.body : JSON.stringify(step.body ?? { error: { message: `status ${step.status}` } }));
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

    const text = 'text' in step && step.text !== undefined ? step.text : writeFromPrompt(body);
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
    const usage = { prompt_tokens: promptTokens, completion_tokens: Math.ceil(text.length / 1.5), total_tokens: 0, prompt_tokens_details: { cached_tokens: cached }, prompt_cache_hit_tokens: cached, prompt_cache_miss_tokens: promptTokens - cached };
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
      res.end(JSON.stringify({ id, object: 'chat.completion', created: base.created, model, choices: [{ index: 0, message, finish_reason: finish }], ...(usagePlace === 'none' ? {} : { usage }) }));
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
    const cutAt = step.kind === 'cut' || step.kind === 'reset' || step.kind === 'stream-error' ? Math.floor(all.length / 2) : all.length;
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
    const finishChunk: Record<string, unknown> = { ...base, choices: [{ index: 0, delta: {}, finish_reason: finish, ...(usagePlace === 'choice' ? { usage } : {}) }] };
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

/** The fake model's writing: deterministic Chinese text built from the prompt's paper. */
export function writeFromPrompt(body: Record<string, unknown>): string {
  const messages = (body['messages'] as Array<{ role: string; content: string }> | undefined) ?? [];
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const papers = /<papers>\n([\s\S]*?)\n<\/papers>/.exec(user)?.[1];
  if (papers !== undefined) {
    const n = papers.split('\n').filter((l) => /^\d+\./.test(l)).length;
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
  const one = /第\s*(\d+)\s*个问题[:：]\s*(.+)/.exec(user);
  if (one) {
    const sections = [...paperMsg.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
    return `关于“${title}”的第 ${one[1]} 个问题（${one[2]!.trim()}）：这是模拟模型的回答。${sections.length ? `论文正文包括${sections.length}个部分。` : '论文摘要给出了研究的目标与主要结论。'}\n\n- 要点一：论文说明了研究动机。\n- 要点二：论文概述了方法与结果。`;
  }
  const questions = [...user.matchAll(/^(\d+)\.\s+(.+)$/gm)].map((m) => m[2]!.trim());
  if (questions.length > 0) {
    return questions
      .map((q, i) => `### ${i + 1}. ${q}\n\n关于“${title}”：这是模拟模型对第 ${i + 1} 个问题的回答。论文摘要给出了研究的目标与主要结论，更多细节需要查阅论文原文。\n\n- 要点一：摘要中说明了研究动机。\n- 要点二：摘要中概述了方法与结果。`)
      .join('\n\n');
  }
  return [
    `# 一文读懂：${title}`,
    '',
    `> 这篇论文围绕“${title}”展开研究。作者提出了自己的方法，并在摘要中报告了主要结论。`,
    '',
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
    ...(/图注/.test(user) ? ['', '图注：模拟模型翻译的关键图图注。'] : []),
  ].join('\n');
}
