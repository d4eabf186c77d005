/**
 * `npm run bench`: the built CLI, run as a user would, against the fake arXiv and fake LLM on
 * 127.0.0.1 with set latencies. Prints each figure beside the limit it is compared to.
 * BENCH_RUNS (3), BENCH_LATENCY_MS (300), BENCH_ARXIV_DELAY_MS (200), BENCH_PAPERS (200),
 * BENCH_MEMORY_PAPERS (1000) change the set-up.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { FakeArxiv, rssFeed, syntheticEntry, type FeedItem } from '../fakes/fake-arxiv.js';
import { FakeLlm } from '../fakes/fake-llm.js';
import { ROOT } from '../fakes/root.js';
import { batchPrice, costOf, formatCost, PRICES } from '../../src/llm/cost.js';

const BIN = path.join(ROOT, 'bin/digest.js');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const LATENCY = Number(process.env['BENCH_LATENCY_MS'] ?? 300);
const DELAY = Number(process.env['BENCH_ARXIV_DELAY_MS'] ?? 200);
const N = Number(process.env['BENCH_PAPERS'] ?? 200);
const MEM_N = Number(process.env['BENCH_MEMORY_PAPERS'] ?? 1000);
const CONCURRENCY = 8;
const BATCH = 50;
const PUB = 'Tue, 17 Nov 2026 00:00:00 -0500';
const NOW = String(Date.parse('2026-11-17T15:00:00Z') / 1000);

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `digest-bench-${p}-`));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rssProbe = path.join(tmp('probe'), 'rss.cjs');
writeFileSync(
  rssProbe,
  "process.on('exit', () => { if (process.env.BENCH_RSS_FILE) require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
);

interface Run {
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
  rssKb: number;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<Run> {
  const rssFile = path.join(tmp('rss'), 'rss');
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: { ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${rssProbe}` } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      let rssKb = 0;
      try {
        rssKb = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        /* the process died before exit handlers */
      }
      resolve({ code, ms: performance.now() - t0, stdout, stderr, rssKb });
    });
  });
}

function items(n: number): FeedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `2611.${String(10001 + i)}`,
    version: 1,
    title: `Benchmark Paper ${i + 1}: Efficient Methods for Language Models`,
    abstract: `We study benchmark problem ${i + 1}. Our method improves accuracy on three datasets while using fewer parameters, and we analyse when it helps and when it does not.`,
    announceType: 'new' as const,
    categories: ['cs.CL'],
    authors: [`Author ${i + 1}`, 'Second Author'],
  }));
}

async function servers(n: number, latencyMs: number) {
  const list = items(n);
  const arxiv = new FakeArxiv();
  arxiv.rss = (cats) => rssFeed(cats, PUB, list);
  arxiv.add(
    ...list.map((it) =>
      syntheticEntry(it.id, it.title, it.abstract, { categories: it.categories, authors: it.authors }),
    ),
  );
  const llm = new FakeLlm({ latencyMs });
  await Promise.all([arxiv.start(), llm.start()]);
  const env = (cache: string, extra: Record<string, string> = {}) => ({
    PATH: process.env['PATH'] ?? '',
    HOME: tmp('home'),
    ...arxiv.urls(),
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'bench-key-0000',
    DIGEST_MODEL: 'fake-model',
    DIGEST_ARXIV_DELAY_MS: String(DELAY),
    DIGEST_ARXIV_BATCH_SIZE: String(BATCH),
    DIGEST_CACHE_DIR: cache,
    SOURCE_DATE_EPOCH: NOW,
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  });
  return { arxiv, llm, env, stop: () => Promise.all([arxiv.stop(), llm.stop()]) };
}

type Row = [string, string, string, string];
const rows: Row[] = [];
const row = (what: string, value: string, limit: string, verdict: string) => rows.push([what, value, limit, verdict]);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `digest daily` of the bench's day into `out`, abstracts only, quietly. */
const dailyArgs = (out: string) => [
  BIN,
  'daily',
  'cs.CL',
  '-o',
  out,
  '--concurrency',
  String(CONCURRENCY),
  '--source',
  'abstract',
  '--quiet',
];

async function throughput() {
  const walls: number[] = [];
  let last: { arxivApi: number; rss: number; gaps: number[]; llm: number; cached: number; prompt: number } | undefined;
  let warm: { ms: number; llm: number; arxiv: number; api: number } | undefined;
  let perTemplate: Map<string, number[]> | undefined;
  for (let r = 0; r < RUNS; r++) {
    const sv = await servers(N, LATENCY);
    const cache = tmp('cache');
    const out = tmp('out');
    const args = dailyArgs(out);
    const cold = await run(process.execPath, args, sv.env(cache));
    if (cold.code !== 0) throw new Error(`daily failed: ${cold.stderr}`);
    walls.push(cold.ms);
    const starts = sv.arxiv.requests.map((q) => q.at);
    last = {
      arxivApi: sv.arxiv.requests.filter((q) => q.url.startsWith('/api/query')).length,
      rss: sv.arxiv.requests.filter((q) => q.url.startsWith('/rss/')).length,
      gaps: starts.slice(1).map((t, i) => t - starts[i]!),
      llm: sv.llm.requests.length,
      cached: 0,
      prompt: 0,
    };
    perTemplate = new Map();
    for (const q of sv.llm.requests) {
      const messages = q.body['messages'] as Array<{ role: string; content: string }>;
      const name = messages[0]!.content.includes('科研助理')
        ? 'qa (abstract, all at once)'
        : messages[0]!.content.includes('编辑')
          ? 'overview (whole day)'
          : 'post (abstract)';
      const t = messages.reduce((a, m) => a + countTokens(m.content), 0);
      perTemplate.set(name, [...(perTemplate.get(name) ?? []), t]);
    }
    sv.arxiv.reset();
    sv.llm.reset();
    const again = await run(process.execPath, args, sv.env(cache));
    warm = {
      ms: again.ms,
      llm: sv.llm.requests.length,
      arxiv: sv.arxiv.requests.length,
      api: sv.arxiv.requests.filter((q) => q.url.startsWith('/api/query')).length,
    };
    await sv.stop();
    rmSync(out, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
  const calls = N * 2;
  const apiRequests = Math.ceil(N / BATCH);
  const limitMs =
    Math.ceil(calls / CONCURRENCY) * LATENCY +
    LATENCY /* the overview */ +
    apiRequests * DELAY; /* gaps after the feed */
  const wall = median(walls);
  row(
    `1. daily, ${N} papers × 2 calls + overview, concurrency ${CONCURRENCY}, ${LATENCY} ms/call`,
    `${s(wall)} (median of ${RUNS})`,
    `${s(limitMs)} = ceil(${calls}/${CONCURRENCY})×${LATENCY} ms + ${LATENCY} ms overview + ${apiRequests}×${DELAY} ms arXiv spacing`,
    `${(wall / limitMs).toFixed(2)}× (target ≤ 1.10×)`,
  );
  row(
    '   vs one call at a time',
    s(calls * LATENCY + LATENCY),
    '',
    `${((calls * LATENCY + LATENCY) / wall).toFixed(1)}× faster (target ≥ 7×)`,
  );
  row(
    `2. arXiv API requests for ${N} ids`,
    `${last!.arxivApi} (+${last!.rss} feed)`,
    `ceil(${N}/${BATCH}) = ${apiRequests}`,
    last!.arxivApi <= apiRequests ? 'at the limit' : 'OVER',
  );
  row(
    '   smallest gap between arXiv requests',
    `${Math.min(...last!.gaps)} ms (seen by the server)`,
    `≥ ${DELAY} ms (DIGEST_ARXIV_DELAY_MS)`,
    Math.min(...last!.gaps) >= DELAY ? 'ok' : 'TOO CLOSE',
  );
  row(
    `3. warm re-run of the same day`,
    `${s(warm!.ms)}, ${warm!.llm} LLM requests, ${warm!.api} API + ${warm!.arxiv - warm!.api} feed requests`,
    '0 LLM requests, only the listing request, < 1 s',
    warm!.llm === 0 && warm!.api === 0 && warm!.ms < 1000 ? 'ok' : 'MISSED',
  );
  return perTemplate!;
}

async function coldStart() {
  const env = { PATH: process.env['PATH'] ?? '', HOME: tmp('home') };
  const times = async (args: string[]) => {
    const xs: number[] = [];
    for (let i = 0; i < 11; i++) xs.push((await run(process.execPath, args, env)).ms);
    return median(xs);
  };
  const base = await times(['-e', '0']);
  const help = await times([BIN, '--help']);
  const ver = await times([BIN, '--version']);
  row(
    '4. cold start: digest --help',
    `${help.toFixed(0)} ms`,
    `node -e 0 = ${base.toFixed(0)} ms`,
    `${(help / base).toFixed(2)}× (target ≤ 2.5×)`,
  );
  row(
    '   cold start: digest --version',
    `${ver.toFixed(0)} ms`,
    `node -e 0 = ${base.toFixed(0)} ms`,
    `${(ver / base).toFixed(2)}× (target ≤ 2.5×)`,
  );
}

async function memory() {
  const sv = await servers(MEM_N, 0);
  const out = tmp('out');
  const r = await run(process.execPath, dailyArgs(out), sv.env(tmp('cache')));
  await sv.stop();
  rmSync(out, { recursive: true, force: true });
  if (r.code !== 0) throw new Error(`daily (memory) failed: ${r.stderr}`);
  row(
    `5. peak RSS, daily with ${MEM_N} papers, LLM at 0 ms`,
    `${(r.rssKb / 1024).toFixed(0)} MB (${s(r.ms)})`,
    '≤ 150 MB',
    r.rssKb / 1024 <= 150 ? 'ok' : 'OVER',
  );
}

async function fullTextQa() {
  const sv = await servers(1, 0);
  sv.arxiv.add(
    syntheticEntry(
      '2609.99001',
      'Sparse Routing for Tiny Translators',
      'We route each token through two of 16 small experts.',
      { categories: ['cs.CL'] },
    ),
  );
  sv.arxiv.documents.set('/html/2609.99001v1', {
    contentType: 'text/html',
    body: readFileSync(path.join(ROOT, 'fixtures/fulltext/latexml-2609.99001v1.html'), 'utf8'),
  });
  const r = await run(
    process.execPath,
    [BIN, 'fetch', '2609.99001', '--source', 'full', '--kind', 'qa'],
    sv.env(tmp('cache')),
  );
  if (r.code !== 0) throw new Error(`fetch (full text) failed: ${r.stderr}`);
  const reqs = sv.llm.requests.map((q) => q.body['messages'] as Array<{ content: string }>);
  const prefix = countTokens(reqs[0]![0]!.content) + countTokens(reqs[0]![1]!.content);
  const sent = reqs.reduce((a, m) => a + m.reduce((b, x) => b + countTokens(x.content), 0), 0);
  const cached = /cached (\d+)/.exec(r.stderr)?.[1];
  const prompt = /tokens in (\d+)/.exec(r.stderr)?.[1];
  await sv.stop();
  return { requests: reqs.length, prefix, sent, cachedShare: cached && prompt ? Number(cached) / Number(prompt) : 0 };
}

/** The same day with a model that answers in a different shape from request to request. */
async function mixedShapes() {
  const sv = await servers(N, LATENCY);
  const cache = tmp('cache');
  const out = tmp('out');
  const args = dailyArgs(out);
  const env = sv.env(cache, { DIGEST_MODEL: 'shape/mixed' });
  const cold = await run(process.execPath, args, env);
  const written = readdirSync(out).filter((f) => /^\d{4}\.\d{5}\.md$/.test(f)).length;
  const requests = sv.llm.requests.length;
  const shapes = new Set(sv.llm.shapesUsed).size;
  sv.llm.reset();
  const again = await run(process.execPath, args, env);
  const warmRequests = sv.llm.requests.length;
  await sv.stop();
  rmSync(out, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  const followUps = requests - (2 * N + 1);
  row(
    `7. daily, ${N} papers, the model answering in ${shapes} shapes at random`,
    `${written} of ${N} written (exit ${cold.code}), ${s(cold.ms)}`,
    `${requests} LLM requests = ${2 * N} + overview + ${followUps} follow-ups (≤ 1 per missing part)`,
    written === N && followUps <= 2 * N ? 'ok' : 'MISSED',
  );
  row(
    '   warm re-run',
    `${s(again.ms)}, ${warmRequests} LLM requests`,
    '0 LLM requests',
    warmRequests === 0 ? 'ok' : 'MISSED',
  );
}

/** The day in --batch mode: one submission, and what its measured tokens cost at the normal and the batch price. */
async function batchCost() {
  const sv = await servers(N, LATENCY);
  const out = tmp('out');
  const r = await run(
    process.execPath,
    // not --quiet: the closing line with the batch's measured tokens is an info line
    [...dailyArgs(out).filter((a) => a !== '--quiet'), '--batch'],
    sv.env(tmp('cache'), { DIGEST_BATCH_POLL_MS: '20' }),
  );
  const submissions = sv.llm.batchApi.creates;
  await sv.stop();
  rmSync(out, { recursive: true, force: true });
  const m = /batch: (\d+) answer\(s\) from the Batch API, tokens in (\d+)(?: \(cached \d+\))?, out (\d+)/.exec(
    r.stderr,
  );
  if (r.code !== 0 || !m) throw new Error(`daily --batch failed: ${r.stderr.slice(-500)}`);
  const usage = { promptTokens: Number(m[2]), completionTokens: Number(m[3]), cachedTokens: 0 };
  for (const model of ['gpt-4.1-mini', 'qwen-plus']) {
    const price = PRICES[model]!;
    const normal = costOf(usage, price)!;
    const batch = costOf(usage, batchPrice(price))!;
    row(
      `9. cost of the ${N}-paper day (post + qa, ${m[1]} answers), ${model}`,
      `normal ${formatCost(normal)}, batch ${formatCost(batch)} (${m[2]} in / ${m[3]} out tokens, ${submissions} submission, ${s(r.ms)})`,
      'batch ≤ 0.55 × normal, one submission per model',
      batch <= 0.55 * normal && submissions === 1 ? 'ok' : 'MISSED',
    );
  }
}

/** 20 papers whose full-text hosts are not there, with arXiv's real spacing (3 s) and backoff (10 s). */
async function unreachableHosts() {
  const sv = await servers(20, LATENCY);
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const dead = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
  const ids = items(20).map((it) => it.id);
  const env = sv.env(tmp('cache'), {
    DIGEST_ARXIV_HTML_URL: `${dead}/html`,
    DIGEST_AR5IV_URL: 'http://fulltext-host.invalid/html',
    DIGEST_ARXIV_PDF_URL: `${dead}/pdf`,
    DIGEST_ARXIV_DELAY_MS: '3000',
    DIGEST_ARXIV_RETRY_BASE_MS: '10000',
  });
  const r = await run(process.execPath, [BIN, 'fetch', ...ids, '--concurrency', String(CONCURRENCY)], env);
  await sv.stop();
  const warned = r.stderr.match(/is unreachable: skipping it/g)?.length ?? 0;
  row(
    '8. fetch 20 papers, HTML/PDF host refused, ar5iv unresolvable',
    `${s(r.ms)} (exit ${r.code}), ${warned} host warnings`,
    '< 30 s for 20 papers, one warning per host (was ~8 min per paper)',
    r.code === 0 && r.ms < 30_000 && warned === 2 ? 'ok' : 'MISSED',
  );
}

async function main(): Promise<void> {
  process.stderr.write(`bench: ${os.cpus().length} cores, Node ${process.version}, ${RUNS} run(s) per figure\n`);
  const perTemplate = await throughput();
  await coldStart();
  await memory();
  const qa = await fullTextQa();
  for (const [name, xs] of perTemplate)
    row(
      `6. tokens sent per paper: ${name}`,
      `${median(xs)} (median)`,
      'counted with gpt-tokenizer o200k over every message sent',
      '',
    );
  row(
    '   qa with full text, one question at a time',
    `${qa.requests} requests, ${qa.sent} tokens sent`,
    `shared prefix (system + paper) ${qa.prefix} tokens per request`,
    `cached share ${(qa.cachedShare * 100).toFixed(0)}% (as the fake server reports it)`,
  );
  await mixedShapes();
  await unreachableHosts();
  await batchCost();
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: Row) => `${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2].padEnd(w[2]!)}  ${r[3]}`;
  process.stdout.write(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}\n\n`);
  process.stdout.write(`${line(['figure', 'measured', 'limit', 'verdict'])}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
