import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigestError } from '../../src/errors.js';
import { createSdk } from '../../src/llm/create-sdk.js';
import { LlmClient, type LlmClientOptions } from '../../src/llm/llm-client.js';
import { PROVIDERS } from '../../src/llm/providers.js';
import { FakeLlm } from '../fakes/fake-llm.js';
import { closedPort } from '../helpers/net.js';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/llm/${name}`, import.meta.url), 'utf8');
const jsonlToSse = (name: string) =>
  fx(name)
    .trim()
    .split('\n')
    .map((l) => `data: ${l}\n\n`)
    .join('') + 'data: [DONE]\n\n';

const ZH = '# 标题\n\n这是一段用中文写成的回答，内容完整，结构清楚，没有多余的推理过程。';
const MSGS = [{ role: 'user' as const, content: '标题：Test paper\n请写一篇文章' }];

let fake: FakeLlm;
beforeAll(async () => {
  fake = new FakeLlm();
  await fake.start();
});
afterAll(() => fake.stop());

function client(over: Partial<LlmClientOptions> = {}): LlmClient {
  const o: LlmClientOptions = {
    baseURL: fake.url,
    apiKey: 'sk-unit-KEY-123456',
    model: 'fake-model',
    preset: PROVIDERS['openai']!,
    stream: true,
    idleTimeoutMs: 2000,
    deadlineMs: 10_000,
    retries: 2,
    retryBaseMs: 5,
    maxRetryAfterMs: 200,
    // always talks to the fake, whatever baseURL says (it only shapes requests and messages)
    createClient: () => createSdk({ apiKey: 'sk-unit-KEY-123456', baseURL: fake.url, timeoutMs: 2000 }),
    ...over,
  };
  return new LlmClient(o);
}

function last() {
  return fake.requests[fake.requests.length - 1]!;
}

describe('streaming and non-streaming answers', () => {
  it.each([
    ['separate', true],
    ['finish', true],
    ['choice', true],
    ['none', true],
    ['separate', false],
  ] as const)('usage %s, stream %s', async (usage, stream) => {
    fake.script({ text: ZH, usage });
    const r = await client({ stream }).complete({ messages: MSGS });
    expect(r.text).toBe(ZH);
    expect(r.finishReason).toBe('stop');
    if (usage === 'none') expect(r.usage.promptTokens).toBe(0);
    else expect(r.usage.promptTokens).toBeGreaterThan(0);
    expect(last().body['stream']).toBe(stream ? true : undefined);
    if (stream) expect(last().body['stream_options']).toEqual({ include_usage: true });
  });

  it.each(['reasoning_content', 'reasoning', 'think', 'think-no-open'] as const)(
    'reasoning as %s never reaches the text',
    async (reasoning) => {
      for (const stream of [true, false]) {
        fake.script({ text: ZH, reasoning, chunk: 3 });
        const deltas: string[] = [];
        const r = await client({ stream }).complete({ messages: MSGS, onDelta: (d) => deltas.push(d) });
        expect(r.text).toBe(ZH);
        expect(r.text).not.toMatch(/think|想一想/);
        if (stream && reasoning !== 'think-no-open') expect(deltas.join('')).toBe(ZH);
      }
    },
  );
});

describe('recorded provider streams', () => {
  const cases: Array<[string, string, { prompt: number; completion: number }]> = [
    ['deepseek-reasoner-stream.sse', fx('deepseek-reasoner-stream.sse'), { prompt: 6, completion: 212 }],
    ['zhipu-glm-4.7-thinking-stream.sse', fx('zhipu-glm-4.7-thinking-stream.sse'), { prompt: 13, completion: 564 }],
    [
      'vllm-crusoe-stream-include-usage.sse',
      fx('vllm-crusoe-stream-include-usage.sse'),
      { prompt: 46, completion: 14 },
    ],
    [
      'groq-r1-distill-think-tags-stream.sse',
      fx('groq-r1-distill-think-tags-stream.sse'),
      { prompt: 21, completion: 988 },
    ],
    [
      'dashscope-qwen3-max-thinking-stream.chunks.jsonl',
      jsonlToSse('dashscope-qwen3-max-thinking-stream.chunks.jsonl'),
      { prompt: 24, completion: 1355 },
    ],
    [
      'openai-stream-obfuscation.chunks.jsonl',
      jsonlToSse('openai-stream-obfuscation.chunks.jsonl'),
      { prompt: 16, completion: 300 },
    ],
  ];
  it.each(cases)('%s: answer without reasoning, usage read', async (_name, body, usage) => {
    fake.script({ kind: 'raw', contentType: 'text/event-stream', body });
    const r = await client().complete({ messages: MSGS, requireChinese: false });
    // the answer is what the content deltas say after any reasoning
    const content = [...body.matchAll(/^data: (\{.*\})$/gm)]
      .map((m) => JSON.parse(m[1]!) as { choices?: Array<{ delta?: { content?: string | null } }> })
      .map((c) => c.choices?.[0]?.delta?.content ?? '')
      .join('');
    const expected = content.includes('</think>')
      ? content.slice(content.lastIndexOf('</think>') + 8).trim()
      : content.trim();
    expect(r.text).toBe(expected);
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.text).not.toContain('<think>');
    expect(r.usage.promptTokens).toBe(usage.prompt);
    expect(r.usage.completionTokens).toBe(usage.completion);
  });

  it('OpenRouter: comments, then an error event inside a 200 stream', async () => {
    const body = fx('openrouter-stream-comments-midstream-error.sse');
    fake.script(
      { kind: 'raw', contentType: 'text/event-stream', body },
      { kind: 'raw', contentType: 'text/event-stream', body },
    );
    await expect(client({ retries: 1 }).complete({ messages: MSGS, requireChinese: false })).rejects.toThrow(
      /Token limit reached/,
    );
  });
});

describe('retries and failures', () => {
  it('429 with retry-after-ms, then success', async () => {
    fake.script(
      {
        kind: 'status',
        status: 429,
        body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
        headers: { 'retry-after-ms': '20' },
      },
      { text: ZH },
    );
    const before = fake.requests.length;
    const r = await client().complete({ messages: MSGS });
    expect(r.text).toBe(ZH);
    expect(fake.requests.length - before).toBe(2);
  });

  it('a 429 holds back the other calls of the batch for the Retry-After time', async () => {
    const c = client({ maxRetryAfterMs: 5000 });
    fake.script({
      kind: 'status',
      status: 429,
      body: { error: { message: 'Rate limit reached' } },
      headers: { 'retry-after-ms': '400' },
    });
    const before = fake.requests.length;
    const first = c.complete({ messages: MSGS });
    // once the server has answered the 429 (and the client has had time to read it)
    for (let i = 0; i < 100 && fake.requests.length === before; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const t1 = Date.now();
    const second = c.complete({ messages: MSGS });
    const [a, b] = await Promise.all([first, second]);
    expect(a.text).toMatch(/^# 一文读懂：Test paper/);
    expect(b.text).toBe(a.text);
    const secondSent = fake.requests[fake.requests.length - 1]!.at;
    expect(secondSent - t1).toBeGreaterThanOrEqual(150);
  });

  it('Retry-After: 3600 is clamped, not slept', async () => {
    fake.script(
      { kind: 'status', status: 503, body: { error: { message: 'overloaded' } }, headers: { 'retry-after': '3600' } },
      { text: ZH },
    );
    const t0 = Date.now();
    const r = await client({ maxRetryAfterMs: 50 }).complete({ messages: MSGS });
    expect(r.text).toBe(ZH);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it.each([
    ['cut', { kind: 'cut' as const }],
    ['reset', { kind: 'reset' as const }],
    ['stall', { kind: 'stall' as const }],
    ['no-blank-end', { kind: 'no-blank-end' as const }],
    ['stream-error', { kind: 'stream-error' as const, error: { message: 'upstream hiccup', type: 'server_error' } }],
  ])('a %s stream is retried', async (_n, step) => {
    fake.script(step, { text: ZH });
    const r = await client({ idleTimeoutMs: 300 }).complete({ messages: MSGS });
    expect(r.text).toBe(ZH);
  });

  it('401: one clear error, no retry, key not in the message, stops the batch', async () => {
    fake.script({
      kind: 'status',
      status: 401,
      body: { error: { message: 'Incorrect API key provided: sk-unit-KEY-123456', code: 'invalid_api_key' } },
    });
    const before = fake.requests.length;
    const err = await client()
      .complete({ messages: MSGS })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestError);
    expect((err as DigestError).fatal).toBe(true);
    expect((err as DigestError).message).toMatch(/rejected the API key \(401\)/);
    expect((err as DigestError).message).not.toContain('sk-unit');
    expect(fake.requests.length - before).toBe(1);
  });

  it.each([
    [
      'OpenAI insufficient_quota',
      429,
      { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
    ],
    [
      'DeepSeek 402',
      402,
      { error: { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' } },
    ],
    ['Zhipu 1113', 429, { error: { code: '1113', message: '余额不足或无可用资源包,请充值。' } }],
  ])('%s: not retried, fatal', async (_n, status, body) => {
    fake.script({ kind: 'status', status, body });
    const before = fake.requests.length;
    const err = (await client()
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(err.fatal).toBe(true);
    expect(err.message).toMatch(/no balance or quota/);
    expect(fake.requests.length - before).toBe(1);
  });

  it.each([500, 502, 503, 529])('%s is retried', async (status) => {
    fake.script({ kind: 'status', status, body: { error: { message: 'overloaded' } } }, { text: ZH });
    const before = fake.requests.length;
    expect((await client().complete({ messages: MSGS })).text).toBe(ZH);
    expect(fake.requests.length - before).toBe(2);
  });

  it.each([
    [
      'DeepSeek 400 Content Exists Risk',
      {
        kind: 'status' as const,
        status: 400,
        body: { error: { message: 'Content Exists Risk', type: 'invalid_request_error' } },
      },
    ],
    [
      'DashScope data_inspection_failed',
      {
        kind: 'status' as const,
        status: 400,
        body: {
          error: {
            code: 'data_inspection_failed',
            message: 'Input data may contain inappropriate content.',
            type: 'data_inspection_failed',
          },
        },
      },
    ],
    [
      'a moderation cut mid-stream',
      {
        kind: 'stream-error' as const,
        error: {
          message: 'Output data may contain inappropriate content.',
          type: 'data_inspection_failed',
          code: 'data_inspection_failed',
        },
      },
    ],
  ])('%s: reported for this paper, not retried, not fatal', async (_n, step) => {
    fake.script(step);
    const before = fake.requests.length;
    const err = (await client()
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(err.message).toMatch(/refused this paper \(content moderation/);
    expect(err.fatal).toBe(false);
    expect(fake.requests.length - before).toBe(1);
  });

  it('DeepSeek 400 "Model Not Exist" names the model and the endpoint', async () => {
    fake.script({
      kind: 'status',
      status: 400,
      body: { error: { message: 'Model Not Exist', type: 'invalid_request_error' } },
    });
    const err = (await client({ model: 'deepseek-chat' })
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(err.message).toContain(`model "deepseek-chat" was not found at ${fake.url}`);
  });

  it('an answer that is only reasoning counts as empty: asked again once, then reported', async () => {
    fake.script({ text: '', reasoning: 'reasoning_content' }, { text: '', reasoning: 'reasoning' });
    await expect(client().complete({ messages: MSGS })).rejects.toThrow(/the model's answer was empty twice/);
  });

  it('404 names the model and the endpoint', async () => {
    fake.script({ kind: 'status', status: 404, body: JSON.parse(fx('error-openai-404-model-not-found.json')) });
    const err = (await client({ model: 'nonexistent' })
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(err.message).toContain('model "nonexistent" was not found');
    expect(err.message).toContain(fake.url);
  });

  it('non-OpenAI error bodies keep their message (SiliconFlow {code,message}, HTML)', async () => {
    fake.script({
      kind: 'status',
      status: 400,
      body: { code: 20012, message: 'Model does not exist. Please check it carefully.', data: null },
    });
    const e1 = (await client()
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(e1.message).toContain('Model does not exist');
    fake.script(
      {
        kind: 'status',
        status: 502,
        body: '<html><head><title>502 Bad Gateway</title></head></html>',
        headers: { 'content-type': 'text/html' },
      },
      {
        kind: 'status',
        status: 502,
        body: '<html><head><title>502 Bad Gateway</title></head></html>',
        headers: { 'content-type': 'text/html' },
      },
    );
    const e2 = (await client({ retries: 1 })
      .complete({ messages: MSGS })
      .catch((e: unknown) => e)) as DigestError;
    expect(e2.message).toContain('answered 502: Bad Gateway');
  });

  it('empty, truncated and English answers are retried once, then reported', async () => {
    fake.script({ text: '' }, { text: ZH });
    expect((await client().complete({ messages: MSGS })).text).toBe(ZH);
    fake.script({ text: ZH, finishReason: 'length' }, { text: ZH });
    expect((await client().complete({ messages: MSGS })).text).toBe(ZH);
    fake.script({ text: 'This answer drifted into English entirely.' }, { text: 'Still English, sorry about that.' });
    await expect(client().complete({ messages: MSGS })).rejects.toThrow(/not in Chinese twice/);
  });

  it('a stream answered with JSON (no chunks) is not taken as success', async () => {
    fake.script(
      { kind: 'raw', contentType: 'application/json', body: fx('openai-chat-completion.json') },
      { text: ZH },
    );
    expect((await client().complete({ messages: MSGS })).text).toBe(ZH);
  });
});

// The base URL only decides the request's shape here; every request goes to the fake server.
const OPENAI_V1 = PROVIDERS['openai']!.baseURL;

describe('provider request shapes', () => {
  it.each([
    ['openai', 'gpt-4.1-mini', OPENAI_V1, { max_completion_tokens: 100, temperature: 0.5 }, []],
    ['openai', 'gpt-5-mini', OPENAI_V1, { max_completion_tokens: 100 }, ['temperature', 'max_tokens']],
    [
      'openai',
      'my-local-model',
      'http://vllm.local/v1',
      { max_tokens: 100, temperature: 0.5 },
      ['max_completion_tokens'],
    ],
    ['deepseek', 'deepseek-v4-flash', '', { max_tokens: 100, temperature: 0.5, thinking: { type: 'disabled' } }, []],
    ['moonshot', 'kimi-k2.6', '', { max_tokens: 100 }, ['temperature', 'top_p']],
    ['qwen', 'qwen-plus', '', { max_tokens: 100, enable_thinking: false }, []],
    ['ollama', 'qwen3:8b', '', { max_tokens: 100 }, ['max_completion_tokens']],
  ] as const)('%s %s', async (provider, model, urlForShape, expected, absent) => {
    // the request goes to the fake; the preset's own URL only decides the shape
    const preset = { ...PROVIDERS[provider]!, baseURL: urlForShape || PROVIDERS[provider]!.baseURL };
    const c = client({ preset, model, baseURL: preset.baseURL });
    fake.script({ text: ZH });
    await c.complete({ messages: MSGS, maxTokens: 100, temperature: 0.5 });
    const body = last().body;
    expect(body).toMatchObject({ model, ...expected });
    for (const k of absent) expect(body).not.toHaveProperty(k);
  });
});

describe('an LLM endpoint that is not there', () => {
  it.each([
    ['connection refused', async () => `http://127.0.0.1:${await closedPort()}/v1`, /ECONNREFUSED/],
    ['no such host', async () => 'http://llm-endpoint.invalid/v1', /ENOTFOUND|EAI_AGAIN/],
  ])('%s: one quick second try, then a fatal error naming the host and the proxy settings', async (_, url, code) => {
    const base = await url();
    const logs: string[] = [];
    const c = client({
      baseURL: base,
      retries: 5,
      retryBaseMs: 5_000,
      log: (m) => logs.push(m),
      createClient: () => createSdk({ apiKey: 'sk-unit-KEY-123456', baseURL: base, timeoutMs: 2000 }),
    });
    const t0 = Date.now();
    const err = (await c.complete({ messages: MSGS }).catch((e: unknown) => e)) as DigestError;
    expect(Date.now() - t0).toBeLessThan(5_000); // not 5 retries with a 5 s backoff
    expect(err).toBeInstanceOf(DigestError);
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(`cannot reach the LLM endpoint ${new URL(base).host}`);
    expect(err.message).toMatch(code);
    expect(err.message).toContain('no proxy is set');
    expect(logs).toHaveLength(1); // the one quick retry
    expect(c.requests).toBe(2);
  });

  it('the proxy named in the message has its password masked', async () => {
    const { proxyNote } = await import('../../src/net/http.js');
    expect(proxyNote({ HTTPS_PROXY: 'http://alice:s3cret@proxy.example:3128' })).toBe(
      'through HTTPS_PROXY=http://***@proxy.example:3128',
    );
    expect(proxyNote({})).toContain('no proxy is set');
  });
});
