import { afterEach, describe, expect, it } from 'vitest';
import { ArxivClient, type ArxivClientOptions } from '../../src/arxiv/arxiv-client.js';
import { parseArxivRef, type ArxivRef } from '../../src/arxiv/arxiv-id.js';
import { FakeArxiv } from '../fakes/fake-arxiv.js';

const refs = (...ids: string[]): ArxivRef[] =>
  ids.map((i) => {
    const r = parseArxivRef(i);
    if (!r.ok) throw new Error(i);
    return r.ref;
  });

let fake: FakeArxiv;
const opts = (over: Partial<ArxivClientOptions> = {}): ArxivClientOptions => ({
  apiUrl: fake.url,
  delayMs: 0,
  timeoutMs: 2000,
  retries: 3,
  retryBaseMs: 5,
  batchSize: 50,
  ...over,
});

async function start(layout: 'new' | 'legacy' = 'new') {
  fake = new FakeArxiv({ layout });
  await fake.start();
}
afterEach(() => fake.stop());

describe('ArxivClient', () => {
  it('one request for many ids, max_results set, matched by id not position', async () => {
    await start();
    const c = new ArxivClient(opts());
    const res = await c.fetchPapers(refs('1605.08386', 'astro-ph/0601001', '2104.12255v1', '1707.08567'));
    expect(fake.requests).toHaveLength(1);
    const q = new URL(fake.requests[0]!.url, 'http://x').searchParams;
    expect(q.get('max_results')).toBe('4');
    expect(q.get('id_list')).toBe('1605.08386,astro-ph/0601001,2104.12255v1,1707.08567');
    expect(fake.requests[0]!.url).toContain('astro-ph%2F0601001');
    const titles = ['1605.08386', 'astro-ph/0601001', '2104.12255v1', '1707.08567'].map((k) => {
      const o = res.get(k)!;
      return o.ok ? o.paper.id : 'missing';
    });
    expect(titles).toEqual(['1605.08386', 'astro-ph/0601001', '2104.12255', '1707.08567']);
    expect(String(fake.requests[0]!.headers['user-agent'])).toMatch(/^arxiv-digest\//);
  });

  it('batches by batchSize and spaces request starts by at least delayMs', async () => {
    await start();
    const c = new ArxivClient(opts({ batchSize: 2, delayMs: 150 }));
    await c.fetchPapers(refs('1605.08386', 'astro-ph/0601001', '2104.12255', '1707.08567', '1601.00001'));
    expect(fake.requests.map((r) => r.ids.length)).toEqual([2, 2, 1]);
    expect(c.startTimes).toHaveLength(3);
    for (let i = 1; i < c.startTimes.length; i++) {
      expect(c.startTimes[i]! - c.startTimes[i - 1]!).toBeGreaterThanOrEqual(150);
    }
  });

  it.each([
    ['429 Rate exceeded. (no Retry-After)', [{ status: 429, body: 'Rate exceeded.' }]],
    ['503 twice', [{ status: 503, body: 'Service Unavailable' }, { status: 503 }]],
    [
      'an HTML page with status 200',
      [
        {
          status: 200,
          body: '<html><head><title>Access Denied</title></head></html>',
          headers: { 'content-type': 'text/html' },
        },
      ],
    ],
    ['a truncated feed', [{ truncate: true as const }]],
    ['a hung connection', [{ hang: true as const }]],
  ])('retries after %s', async (_n, faults) => {
    await start();
    fake.fail(...faults);
    const c = new ArxivClient(opts({ timeoutMs: 300 }));
    const res = await c.fetchPapers(refs('1605.08386'));
    expect(res.get('1605.08386')!.ok).toBe(true);
    expect(fake.requests).toHaveLength(faults.length + 1);
  });

  it('honours Retry-After seconds', async () => {
    await start();
    fake.fail({ status: 503, headers: { 'retry-after': '1' } });
    const t0 = Date.now();
    const res = await new ArxivClient(opts()).fetchPapers(refs('1605.08386'));
    expect(res.get('1605.08386')!.ok).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('gives up with a clear message after the last try', async () => {
    await start();
    fake.fail({ status: 429, body: 'Rate exceeded.' }, { status: 429, body: 'Rate exceeded.' });
    await expect(new ArxivClient(opts({ retries: 1 })).fetchPapers(refs('1605.08386'))).rejects.toThrow(
      /HTTP 429 \(Rate exceeded\.\).*gave up after 2 attempts/,
    );
  });

  it('an empty feed for a real id is asked again before "not found"', async () => {
    await start();
    fake.fail({ empty: true });
    const res = await new ArxivClient(opts()).fetchPapers(refs('1605.08386'));
    expect(res.get('1605.08386')!.ok).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });

  it('an unknown id is reported by name; the others succeed', async () => {
    await start();
    const res = await new ArxivClient(opts()).fetchPapers(refs('1605.08386', '2501.99999', '1605.08386v7'));
    expect(res.get('1605.08386')!.ok).toBe(true);
    const miss = res.get('2501.99999')!;
    expect(miss.ok).toBe(false);
    if (!miss.ok) expect(miss.error.message).toBe('2501.99999: not found on arXiv');
    expect(res.get('1605.08386v7')!.ok).toBe(false);
    // first pass plus one re-ask for the two missing ids only
    expect(fake.requests.map((r) => r.ids.length)).toEqual([3, 2]);
  });

  it('legacy layout: phantom entries for unknown ids are ignored', async () => {
    await start('legacy');
    const res = await new ArxivClient(opts()).fetchPapers(refs('1605.08386', '2201.13455', '1601.00001'));
    const ok = [...res.entries()].filter(([, o]) => o.ok).map(([k]) => k);
    expect(ok.sort()).toEqual(['1601.00001', '1605.08386']);
  });

  it("arXiv's error feed becomes a clear message", async () => {
    await start();
    const bad: ArxivRef = { id: 'abc', version: undefined, input: 'abc' };
    await expect(new ArxivClient(opts()).fetchPapers([bad])).rejects.toThrow(
      'arXiv rejected the request: incorrect id format for abc',
    );
  });
});
