/**
 * Hosts that are plainly not there (connection refused, a name that does not resolve) are given up
 * on fast and for the whole run; a reachable but throttling arXiv keeps its polite backoff.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArxivClient, HostDownError, type ArxivClientOptions } from '../../src/arxiv/arxiv-client.js';
import { parseArxivRef, type ArxivRef } from '../../src/arxiv/arxiv-id.js';
import type { Paper } from '../../src/arxiv/paper.js';
import { createCache } from '../../src/cache/cache.js';
import { getPaperText } from '../../src/fulltext/get-text.js';
import { FakeArxiv } from '../fakes/fake-arxiv.js';
import { makePdf } from '../fakes/make-pdf.js';
import { tempDir } from '../helpers/cli.js';
import { closedPort, NO_SUCH_HOST } from '../helpers/net.js';
import { makePaper } from '../helpers/paper.js';

let fake: FakeArxiv;
beforeEach(async () => {
  fake = new FakeArxiv();
  await fake.start();
});
afterEach(() => fake.stop());

const ref = (id: string): ArxivRef => {
  const r = parseArxivRef(id);
  if (!r.ok) throw new Error(id);
  return r.ref;
};
const client = (over: Partial<ArxivClientOptions> = {}, log: string[] = []) =>
  new ArxivClient({
    apiUrl: fake.url,
    delayMs: 0,
    timeoutMs: 2000,
    retries: 4,
    retryBaseMs: 5_000,
    batchSize: 50,
    log: (m) => log.push(m),
    ...over,
  });
const base = () => fake.url.replace(/\/api\/query$/, '');

function paper(i: number): Paper {
  const published = '2026-11-16T00:00:00Z';
  return makePaper({
    id: `2611.${String(20001 + i)}`,
    title: `Paper ${i}`,
    abstract: `Abstract of paper ${i}.`,
    published,
    updated: published,
  });
}

describe('ArxivClient and a host that is not there', () => {
  it.each([
    ['connection refused', async () => `http://127.0.0.1:${await closedPort()}/api/query`, /ECONNREFUSED/],
    ['a name that does not resolve', async () => `http://${NO_SUCH_HOST}/api/query`, /ENOTFOUND|EAI_AGAIN/],
  ])(
    '%s: one quick second try (not 4 backoffs of 5 s), then down for the run, with a message naming host and proxy',
    async (_, url, code) => {
      const apiUrl = await url();
      const c = client({ apiUrl });
      const t0 = Date.now();
      const err = (await c.fetchPapers([ref('1605.08386')]).catch((e: unknown) => e)) as HostDownError;
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(err).toBeInstanceOf(HostDownError);
      expect(err.fresh).toBe(true);
      expect(err.exitCode).toBe(1);
      expect(err.message).toMatch(new RegExp(`^cannot reach ${new URL(apiUrl).host.replace(/\./g, '\\.')} \\(`));
      expect(err.message).toMatch(code);
      expect(err.message).toContain('no proxy is set');
      expect(c.requests).toBe(2);
      // the next request to that host makes no attempt at all
      const again = (await c.fetchPapers([ref('2104.12255')]).catch((e: unknown) => e)) as HostDownError;
      expect(again).toBeInstanceOf(HostDownError);
      expect(again.fresh).toBe(false);
      expect(c.requests).toBe(2);
      expect(c.isDown(apiUrl)).toBe(true);
    },
  );

  it('a refused request does not count for the spacing between arXiv requests', async () => {
    const c = client({ delayMs: 400, retryBaseMs: 1000 });
    await c.fetchPapers([ref('1605.08386')]);
    const dead = `http://127.0.0.1:${await closedPort()}/html/x`;
    await expect(c.document(dead, 1e6)).rejects.toBeInstanceOf(HostDownError); // two refused tries, 1 s apart
    await c.fetchPapers([ref('2104.12255')]);
    const [, , refused2, next] = c.startTimes;
    // the real request is spaced from the last one that reached arXiv (over a second ago), not from the refused one
    expect(next! - refused2!).toBeLessThan(300);
  });

  it('406 Not Acceptable (arXiv while throttling) is retried like 429; every request says it accepts Atom', async () => {
    fake.fail({ status: 406, body: 'Not Acceptable' }, { status: 406, body: 'Not Acceptable' });
    const log: string[] = [];
    const c = client({ retryBaseMs: 5 }, log);
    const res = await c.fetchPapers([ref('1605.08386')]);
    expect(res.get('1605.08386')?.ok).toBe(true);
    expect(log.filter((l) => /HTTP 406.*retrying/.test(l))).toHaveLength(2);
    for (const q of fake.requests) expect(String(q.headers['accept'])).toMatch(/^application\/atom\+xml/);
  });

  it('throttling to the end: the message says how long it waited over how many attempts, and that a re-run resumes', async () => {
    fake.fail(
      ...Array.from({ length: 3 }, () => ({ status: 429, body: 'Rate exceeded.', headers: { 'retry-after': '1' } })),
    );
    const c = client({ retries: 2 });
    const err = (await c.fetchPapers([ref('1605.08386')]).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      'arXiv answered HTTP 429 (Rate exceeded.) (gave up after 3 attempts, 2 s of waiting); a re-run resumes from the cache',
    );
  });
});

describe('full text with unreachable hosts', () => {
  const cacheDir = () => tempDir('digest-failover-cache-');

  it('HTML refused, ar5iv unresolvable, PDF served: the PDF is used; each dead host said once', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const p = paper(1);
    fake.documents.set(`/pdf/${p.id}v1`, {
      contentType: 'application/pdf',
      body: makePdf([
        [
          'Abstract',
          'A PDF-only paper about routing tokens through experts in small',
          'translation models and why they lose quality.',
          '1 Introduction',
          'Small models lose quality on rare language pairs and we',
          'study why that happens, in detail, over many pages of text.',
          '2 Method',
          'We keep two experts per token and measure what changes.',
        ],
      ]),
    });
    const warns: string[] = [];
    const arxiv = client({ retryBaseMs: 10 });
    const o = {
      htmlUrl: `${dead}/html`,
      ar5ivUrl: `http://${NO_SUCH_HOST}/html`,
      pdfUrl: `${base()}/pdf`,
      maxBytes: 5e6,
      arxiv,
      cache: createCache(cacheDir()),
      warn: (m: string) => warns.push(m),
      verbose: () => undefined,
    };
    const text = await getPaperText(p, o);
    expect(text.source).toBe('pdf');
    expect(text.sections.map((s) => s.text).join(' ')).toContain('two experts per token');
    expect(warns).toEqual([
      expect.stringMatching(
        /^127\.0\.0\.1:\d+ is unreachable: skipping it for the rest of this run \(\(ECONNREFUSED\); no proxy is set/,
      ),
      expect.stringMatching(
        new RegExp(`^${NO_SUCH_HOST.replace(/\./g, '\\.')} is unreachable: skipping it for the rest of this run`),
      ),
    ]);
  });

  it('all three hosts down: 20 papers fall back to the abstract in seconds, one warning per host, nothing cached as "no full text"', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const warns: string[] = [];
    const cache = createCache(cacheDir());
    const arxiv = client({ delayMs: 3000, retryBaseMs: 10_000 }); // the defaults' spacing, and a slow backoff that must not be used
    const o = {
      htmlUrl: `${dead}/html`,
      ar5ivUrl: `http://${NO_SUCH_HOST}/html`,
      pdfUrl: `${dead}/pdf`,
      maxBytes: 5e6,
      arxiv,
      cache,
      warn: (m: string) => warns.push(m),
      verbose: () => undefined,
    };
    const t0 = Date.now();
    const first = await getPaperText(paper(0), o);
    const firstMs = Date.now() - t0;
    const rest = await Promise.all(Array.from({ length: 19 }, (_, i) => getPaperText(paper(i + 1), o)));
    const allMs = Date.now() - t0;
    expect(first.source).toBe('abstract');
    expect(rest.every((t) => t.source === 'abstract')).toBe(true);
    expect(firstMs).toBeLessThan(10_000);
    expect(allMs).toBeLessThan(30_000);
    expect(warns.filter((w) => w.includes('is unreachable'))).toHaveLength(2); // 127.0.0.1:port (HTML and PDF) and the .invalid name
    expect(warns.filter((w) => w.includes('writing from the abstract only'))).toHaveLength(20);
    expect(warns.at(-1)).toMatch(
      /no full text \(HTML: 127\.0\.0\.1:\d+ unreachable; ar5iv: fulltext-host\.invalid unreachable; PDF: 127\.0\.0\.1:\d+ unreachable\)/,
    );
    expect(arxiv.requests).toBe(4); // two tries per dead host, then none
    // a failure is not an answer: the next run asks again
    expect(await cache.get('fulltext', `${paper(0).id}v1`)).toBeUndefined();
  });

  it('hosts that answer "no such document" are remembered as abstract-only (for a day)', async () => {
    const cache = createCache(cacheDir());
    const o = {
      htmlUrl: `${base()}/html`,
      ar5ivUrl: `${base()}/ar5iv/html`,
      pdfUrl: `${base()}/pdf`,
      maxBytes: 5e6,
      arxiv: client(),
      cache,
      warn: () => undefined,
      verbose: () => undefined,
    };
    expect((await getPaperText(paper(3), o)).source).toBe('abstract');
    expect(await cache.get('fulltext', `${paper(3).id}v1`)).toMatchObject({ source: 'abstract' });
  });

  it('Ctrl-C while reading the full text stops and remembers nothing', async () => {
    const ac = new AbortController();
    const cache = createCache(cacheDir());
    fake.fail({ hang: true });
    const arxiv = client({ signal: ac.signal, timeoutMs: 10_000 });
    const o = {
      htmlUrl: `${base()}/html`,
      ar5ivUrl: `${base()}/ar5iv/html`,
      pdfUrl: `${base()}/pdf`,
      maxBytes: 5e6,
      arxiv,
      cache,
      warn: () => undefined,
      verbose: () => undefined,
    };
    setTimeout(() => ac.abort(), 200);
    await expect(getPaperText(paper(4), o)).rejects.toThrow(/abort/i);
    expect(await cache.get('fulltext', `${paper(4).id}v1`)).toBeUndefined();
  });
});
