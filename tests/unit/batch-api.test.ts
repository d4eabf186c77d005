/**
 * The Batch API client against the fake server's /files and /batches: upload, status progression,
 * results matched back by custom_id, and the ways batches go wrong (partial, missing lines, failed
 * validation, expiry, cancel), with the endpoint value each provider names.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  batchFile,
  batchResults,
  batchStatus,
  cancelBatch,
  FINAL_STATES,
  submitBatch,
  type BatchStatus,
} from '../../src/llm/batch-api.js';
import { createSdk } from '../../src/llm/create-sdk.js';
import { PROVIDERS } from '../../src/llm/providers.js';
import { FakeLlm } from '../fakes/fake-llm.js';

const fake = new FakeLlm();
let client: Awaited<ReturnType<typeof createSdk>>;
beforeAll(async () => {
  const url = await fake.start();
  client = await createSdk({ apiKey: 'sk-test', baseURL: url, timeoutMs: 10_000 });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const request = (i: number, model = 'fake-model') => ({
  custom_id: `2606.0000${i}v1:post`,
  body: {
    model,
    messages: [
      { role: 'system', content: '你是一位中文科技编辑。' },
      {
        role: 'user',
        content: `<paper>\n标题：Paper Number ${i}\n摘要：An abstract about routing ${i}.\n</paper>\n\n请写一篇解读文章。`,
      },
    ],
  },
});

async function untilDone(id: string): Promise<{ final: BatchStatus; seen: string[] }> {
  const seen: string[] = [];
  for (let i = 0; i < 20; i++) {
    const s = await batchStatus(client, id);
    if (seen.at(-1) !== s.state) seen.push(s.state);
    if (FINAL_STATES.includes(s.state)) return { final: s, seen };
  }
  throw new Error('batch never finished');
}

describe('Batch API client', () => {
  it('one upload, one batch, the states in order, every answer matched back by custom_id', async () => {
    const requests = [1, 2, 3].map((i) => request(i));
    const { batchId, inputFileId } = await submitBatch(client, requests, { endpoint: '/v1/chat/completions' });
    expect(fake.batchApi.uploads).toBe(1);
    expect(fake.batchApi.creates).toBe(1);
    expect(fake.batchApi.files.get(inputFileId)!.content).toBe(batchFile(requests, '/v1/chat/completions'));
    const { final, seen } = await untilDone(batchId);
    expect(seen).toEqual(['in_progress', 'finalizing', 'completed']);
    expect(final).toMatchObject({ total: 3, completed: 3, failed: 0 });
    const r = await batchResults(
      client,
      final,
      requests.map((q) => q.custom_id),
    );
    expect([...r.answers.keys()]).toEqual(requests.map((q) => q.custom_id));
    expect(r.answers.get('2606.00002v1:post')!.text).toContain('一文读懂：Paper Number 2');
    expect(r.failures.size).toBe(0);
  });

  it("Zhipu's endpoint value is what the batch and its lines name", async () => {
    expect(PROVIDERS['zhipu']!.batch).toEqual({ endpoint: '/v4/chat/completions' });
    expect(PROVIDERS['deepseek']!.batch).toBeUndefined();
    expect(PROVIDERS['ollama']!.batch).toBeUndefined();
    const { batchId } = await submitBatch(client, [request(1)], { endpoint: '/v4/chat/completions' });
    const { final } = await untilDone(batchId);
    expect(final.state).toBe('completed');
    expect(JSON.parse(fake.batchApi.files.get('file-1')!.content.trim()).url).toBe('/v4/chat/completions');
  });

  it('partial results: the error file and the lines in neither file are failures with a reason, the rest answers', async () => {
    const requests = [1, 2, 3, 4, 5, 6].map((i) => request(i, i <= 3 ? 'fake/batch-partial' : 'fake/batch-missing'));
    const { batchId } = await submitBatch(client, requests, { endpoint: '/v1/chat/completions' });
    const { final } = await untilDone(batchId);
    const r = await batchResults(
      client,
      final,
      requests.map((q) => q.custom_id),
    );
    expect([...r.answers.keys()].sort()).toEqual([
      '2606.00001v1:post',
      '2606.00002v1:post',
      '2606.00004v1:post',
      '2606.00005v1:post',
    ]);
    expect(Object.fromEntries(r.failures)).toEqual({
      '2606.00003v1:post': 'content filtered',
      '2606.00006v1:post': 'not in the batch output',
    });
  });

  it('a batch that fails validation or expires: its reason, and every unanswered request named', async () => {
    const failed = await submitBatch(client, [request(1, 'fake/batch-fail')], { endpoint: '/v1/chat/completions' });
    const f = await untilDone(failed.batchId);
    expect(f.final).toMatchObject({ state: 'failed', reason: 'the model does not support batch' });
    expect(Object.fromEntries((await batchResults(client, f.final, ['2606.00001v1:post'])).failures)).toEqual({
      '2606.00001v1:post': 'the batch failed',
    });
    const expiring = [1, 2, 3, 4].map((i) => request(i, 'fake/batch-expire'));
    const e = await submitBatch(client, expiring, { endpoint: '/v1/chat/completions' });
    const done = await untilDone(e.batchId);
    expect(done.final.state).toBe('expired');
    const r = await batchResults(
      client,
      done.final,
      expiring.map((q) => q.custom_id),
    );
    expect(r.answers.size).toBe(2);
    expect([...r.failures.values()]).toEqual(['the batch expired', 'the batch expired']);
  });

  it('cancel: a batch in progress ends cancelled', async () => {
    fake.batchApi.pollsPerState = 5;
    const { batchId } = await submitBatch(client, [request(1)], { endpoint: '/v1/chat/completions' });
    expect((await batchStatus(client, batchId)).state).toBe('validating');
    expect((await cancelBatch(client, batchId)).state).toBe('cancelled');
    expect((await batchStatus(client, batchId)).state).toBe('cancelled');
  });
});
