/**
 * `npm run bench`: the built CLI, run as a user would, against the fake arXiv and fake LLM on 127.0.0.1
 * with set latencies. Prints each figure beside its target and a verdict; `--check` makes a missed target
 * exit 1. `--help` lists the flags and the figures. stdout is the table, stderr the progress.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FakeArxiv, rssFeed, syntheticEntry, type FeedItem } from '../fakes/fake-arxiv.js';
import { FakeLlm } from '../fakes/fake-llm.js';
import { ROOT } from '../fakes/root.js';
import { batchPrice, costOf, formatCost, PRICES } from '../../src/llm/cost.js';

const BIN = path.join(ROOT, 'bin/digest.js');
const BATCH = 50;
/** arXiv spacing of the figures that do not measure the arXiv queue (they would only wait longer). */
const QUICK_DELAY = 200;
const PUB = 'Tue, 17 Nov 2026 00:00:00 -0500';
const NOW = String(Date.parse('2026-11-17T15:00:00Z') / 1000);

// ---------------------------------------------------------------------------------------------------------
// Flags

class UsageError extends Error {}

interface Config {
  papers: number;
  latency: number;
  concurrency: number;
  arxivDelay: number;
  runs: number;
  memoryPapers: number;
  only: Figure[];
  check: boolean;
}

/** A flag's value, else its environment variable, else the default: a whole number within [min, max]. */
function intSetting(
  flag: string,
  value: string | undefined,
  envName: string,
  dflt: number,
  min: number,
  max: number,
): number {
  const raw = value ?? process.env[envName];
  if (raw === undefined || raw === '') return dflt;
  const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const from = value !== undefined ? `--${flag}` : envName;
    throw new UsageError(`${from} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return n;
}

function parseFlags(argv: string[]): Config | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        papers: { type: 'string' },
        latency: { type: 'string' },
        concurrency: { type: 'string' },
        'arxiv-delay': { type: 'string' },
        runs: { type: 'string' },
        only: { type: 'string' },
        check: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  return {
    papers: intSetting('papers', values.papers, 'BENCH_PAPERS', 200, 1, 100_000),
    latency: intSetting('latency', values.latency, 'BENCH_LATENCY_MS', 300, 0, 600_000),
    concurrency: intSetting('concurrency', values.concurrency, 'BENCH_CONCURRENCY', 8, 1, 64),
    arxivDelay: intSetting('arxiv-delay', values['arxiv-delay'], 'BENCH_ARXIV_DELAY_MS', 3000, 0, 600_000),
    runs: intSetting('runs', values.runs, 'BENCH_RUNS', 3, 1, 100),
    memoryPapers: intSetting('memory-papers', undefined, 'BENCH_MEMORY_PAPERS', 1000, 1, 100_000),
    only: values.only === undefined ? FIGURES : selectFigures(values.only),
    check: values.check ?? false,
  };
}

function selectFigures(list: string): Figure[] {
  const wanted = list
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  if (wanted.length === 0) throw new UsageError('--only needs figure numbers or names, e.g. --only 4,memory');
  for (const w of wanted)
    if (!FIGURES.some((f) => String(f.no) === w || f.name === w))
      throw new UsageError(
        `--only: no figure ${JSON.stringify(w)}; the figures are ${FIGURES.map((f) => `${f.no} ${f.name}`).join(', ')}`,
      );
  return FIGURES.filter((f) => wanted.includes(String(f.no)) || wanted.includes(f.name));
}

function usage(): string {
  const figures = FIGURES.map((f) => `  ${String(f.no).padStart(2)}  ${f.name.padEnd(13)} ${f.target}`).join('\n');
  return `Usage: npm run bench -- [options]    (or: node tests/.build/tests/dev/bench.js [options] after a build)

Runs the built CLI as a user would against the fake arXiv and the fake LLM on 127.0.0.1 and prints each
figure beside its target with a verdict. stdout: the table; stderr: progress.

Options:
  --papers N        papers in the bench's day (default 200; env BENCH_PAPERS); figure 11 uses at most
                    this many of the recorded day's papers
  --latency MS      the fake LLM's latency per call (default 300; env BENCH_LATENCY_MS)
  --concurrency N   digest --concurrency for the day's runs (default 8; env BENCH_CONCURRENCY)
  --arxiv-delay MS  arXiv spacing for figures 1, 2, 3 and 10 (default 3000, the CLI's own; env
                    BENCH_ARXIV_DELAY_MS); the other figures run with ${QUICK_DELAY} ms
  --runs N          runs of figures 1-3, 4 (${ROUNDS_PER_RUN} interleaved rounds per run) and 10; medians are quoted
                    (default 3; env BENCH_RUNS)
  --only LIST       run only these figures: numbers or names, comma separated (e.g. --only 4,memory)
  --check           exit 1 when a verdict is MISSED, OVER or FAILED, naming each
  -h, --help        print this and exit; runs nothing

Env BENCH_MEMORY_PAPERS (default 1000) sets figure 5's day.

Figures and targets:
${figures}

Exit status: 0 done (with --check: every target met); 1 a target missed under --check, or a figure could
not run; 2 a bad flag or value.
`;
}

// ---------------------------------------------------------------------------------------------------------
// Running the CLI

let workDir: string | undefined;
/** A fresh folder under the bench's own temporary folder, removed when the bench ends. */
const tmp = (p: string) => {
  workDir ??= mkdtempSync(path.join(os.tmpdir(), 'digest-bench-'));
  return mkdtempSync(path.join(workDir, `${p}-`));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** "(median of 1.20 s, 1.31 s, 1.25 s)", or "(1 run)". */
const ofRuns = (xs: number[]) => (xs.length === 1 ? '(1 run)' : `(median of ${xs.map(s).join(', ')})`);
const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

let rssProbe: string | undefined;
/** A preload that writes the process's peak RSS (KiB) to BENCH_RSS_FILE at exit. */
function probe(): string {
  if (rssProbe) return rssProbe;
  rssProbe = path.join(tmp('probe'), 'rss.cjs');
  writeFileSync(
    rssProbe,
    "process.on('exit', () => { if (process.env.BENCH_RSS_FILE) require('fs').writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n",
  );
  return rssProbe;
}

interface Run {
  code: number | null;
  /** Wall time of the process, spawn to close. */
  ms: number;
  /** Date.now() at spawn, to place the fake servers' request times (which are Date.now() too). */
  startedAt: number;
  stdout: string;
  stderr: string;
  /** Peak RSS in KiB, when asked for with `rss`. */
  rssKb: number;
}

const RUN_TIMEOUT_MS = 10 * 60_000;

/** Why a run failed, in one line: its first error line (a Node stack's message, or the CLI's own), else its last. */
function why(r: Run): string {
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines[lines.length - 1] ?? '';
  return (r.code === null ? 'killed (time bound or signal); ' : '') + line.slice(0, 240);
}

function run(args: string[], env: Record<string, string>, opts: { rss?: boolean } = {}): Promise<Run> {
  const rssFile = opts.rss ? path.join(tmp('rss'), 'rss') : undefined;
  const fullEnv = rssFile ? { ...env, BENCH_RSS_FILE: rssFile, NODE_OPTIONS: `--require ${probe()}` } : env;
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const t0 = performance.now();
    // the CLI is started as a user's shell starts it: bin/digest.js through its #! line (and the flags there)
    const child =
      args[0] === BIN ? spawn(BIN, args.slice(1), { env: fullEnv }) : spawn(process.execPath, args, { env: fullEnv });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      let rssKb = 0;
      try {
        if (rssFile) rssKb = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        /* the process died before exit handlers */
      }
      resolve({ code, ms, startedAt, stdout, stderr, rssKb });
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

/** The fake arXiv serving `list` as the latest cs.CL day (feed and API), and the fake LLM. */
async function servers(list: FeedItem[], latencyMs: number, arxivDelayMs: number) {
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
    DIGEST_ARXIV_DELAY_MS: String(arxivDelayMs),
    DIGEST_ARXIV_BATCH_SIZE: String(BATCH),
    DIGEST_CACHE_DIR: cache,
    SOURCE_DATE_EPOCH: NOW,
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  });
  return { arxiv, llm, env, stop: () => Promise.all([arxiv.stop(), llm.stop()]) };
}

const isApi = (url: string) => url.startsWith('/api/query');
const isFeed = (url: string) => url.startsWith('/rss/');
const postFiles = (dir: string) => readdirSync(dir).filter((f) => /^\d{4}\.\d{5}\.md$/.test(f)).length;

/** `digest daily` of the bench's day into `out`, abstracts only, quietly. */
const dailyArgs = (cfg: Config, out: string) => [
  BIN,
  'daily',
  'cs.CL',
  '-o',
  out,
  '--concurrency',
  String(cfg.concurrency),
  '--source',
  'abstract',
  '--quiet',
];

// ---------------------------------------------------------------------------------------------------------
// The table

interface Row {
  what: string;
  measured: string;
  limit: string;
  /** 'ok', 'MISSED', 'OVER', ... followed by detail; '' for a figure that is only reported. */
  verdict: string;
  /** false: the row misses its target (what --check fails on); undefined: no target. */
  ok?: boolean;
}

const row = (what: string, measured: string, limit = '', verdict = '', ok?: boolean): Row => ({
  what,
  measured,
  limit,
  verdict,
  ...(ok === undefined ? {} : { ok }),
});
/** A row with a target: the verdict word, then the detail. */
const judged = (what: string, measured: string, limit: string, ok: boolean, detail = '', miss = 'MISSED'): Row =>
  row(what, measured, limit, `${ok ? 'ok' : miss}${detail ? `, ${detail}` : ''}`, ok);

interface Figure {
  no: number;
  /** For --only. */
  name: string;
  /** The target, as --help lists it. */
  target: string;
  measure: (cfg: Config) => Promise<Row[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Figures 1, 2, 3 and 6: the bench's day, cold then warm, --runs times (measured once, shared)

interface DayRun {
  coldMs: number;
  /** From the process's start to the fake LLM's first request: every LLM slot idle until then. */
  idleMs: number;
  /** From the first LLM request to the end of the run. */
  llmSpanMs: number;
  /** Request times seen by the fake arXiv, ms after the process started. */
  arxivAt: Array<{ url: string; at: number }>;
  llmRequests: number;
  warmMs: number;
  warmLlm: number;
  warmApi: number;
  warmFeed: number;
}

let dayMemo: Promise<{ runs: DayRun[]; perTemplate: Map<string, number[]> }> | undefined;
const day = (cfg: Config) => (dayMemo ??= measureDay(cfg));

async function measureDay(cfg: Config) {
  const runs: DayRun[] = [];
  let perTemplate = new Map<string, number[]>();
  for (let r = 0; r < cfg.runs; r++) {
    const sv = await servers(items(cfg.papers), cfg.latency, cfg.arxivDelay);
    try {
      const cache = tmp('cache');
      const out = tmp('out');
      const args = dailyArgs(cfg, out);
      const cold = await run(args, sv.env(cache));
      if (cold.code !== 0) throw new Error(`daily exited ${cold.code}: ${why(cold)}`);
      const llmAt = sv.llm.requests.map((q) => q.at);
      const firstLlm = Math.min(...llmAt);
      const one: Omit<DayRun, 'warmMs' | 'warmLlm' | 'warmApi' | 'warmFeed'> = {
        coldMs: cold.ms,
        idleMs: firstLlm - cold.startedAt,
        llmSpanMs: cold.startedAt + cold.ms - firstLlm,
        arxivAt: sv.arxiv.requests.map((q) => ({ url: q.url, at: q.at - cold.startedAt })),
        llmRequests: sv.llm.requests.length,
      };
      if (r === 0) perTemplate = await tokensPerTemplate(sv.llm);
      sv.arxiv.reset();
      sv.llm.reset();
      const warm = await run(args, sv.env(cache));
      if (warm.code !== 0) throw new Error(`warm daily exited ${warm.code}: ${why(warm)}`);
      runs.push({
        ...one,
        warmMs: warm.ms,
        warmLlm: sv.llm.requests.length,
        warmApi: sv.arxiv.requests.filter((q) => isApi(q.url)).length,
        warmFeed: sv.arxiv.requests.filter((q) => isFeed(q.url)).length,
      });
      progress(`day run ${r + 1}/${cfg.runs}: cold ${s(cold.ms)}, warm ${s(warm.ms)}`);
    } finally {
      await sv.stop();
    }
  }
  return { runs, perTemplate };
}

/** Tokens of every message sent, per template, counted with gpt-tokenizer (o200k). */
async function tokensPerTemplate(llm: FakeLlm): Promise<Map<string, number[]>> {
  const { countTokens } = await import('gpt-tokenizer');
  const per = new Map<string, number[]>();
  for (const q of llm.requests) {
    const messages = q.body['messages'] as Array<{ role: string; content: string }>;
    const name = messages[0]!.content.includes('科研助理')
      ? 'qa (abstract, all at once)'
      : messages[0]!.content.includes('编辑')
        ? 'overview (whole day)'
        : 'post (abstract)';
    const t = messages.reduce((a, m) => a + countTokens(m.content), 0);
    per.set(name, [...(per.get(name) ?? []), t]);
  }
  return per;
}

/** Figure 1's bounds: the LLM work at full concurrency, and the polite arXiv queue. */
function dayBounds(cfg: Config) {
  const calls = cfg.papers * 2;
  const apiRequests = Math.ceil(cfg.papers / BATCH);
  const llm = Math.ceil(calls / cfg.concurrency) * cfg.latency + cfg.latency; /* the overview */
  const arxiv = (apiRequests - 1) * cfg.arxivDelay; /* + the feed request, ms on loopback */
  const target = 1.05 * Math.max(llm, arxiv) + cfg.arxivDelay;
  return { calls, apiRequests, llm, arxiv, target };
}

async function figDaily(cfg: Config): Promise<Row[]> {
  const { runs } = await day(cfg);
  const b = dayBounds(cfg);
  const wall = median(runs.map((r) => r.coldMs));
  const idle = median(runs.map((r) => r.idleMs));
  const span = median(runs.map((r) => r.llmSpanMs));
  const lastArxiv = median(runs.map((r) => Math.max(...r.arxivAt.map((q) => q.at))));
  const serial = b.calls * cfg.latency + cfg.latency;
  const speedup = serial / span;
  const speedupTarget = (7.5 / 8) * cfg.concurrency;
  return [
    judged(
      `daily, ${cfg.papers} papers × 2 calls + overview, concurrency ${cfg.concurrency}, ${cfg.latency} ms/call, arXiv spacing ${cfg.arxivDelay} ms`,
      `${s(wall)} ${ofRuns(runs.map((r) => r.coldMs))}`,
      `≤ ${s(b.target)} = 1.05 × max(LLM bound, arXiv bound) + one spacing`,
      wall <= b.target,
      `${(wall / b.target).toFixed(2)}× the target`,
    ),
    row(
      '   LLM bound = ceil(calls / concurrency) × latency + overview',
      s(b.llm),
      `ceil(${b.calls}/${cfg.concurrency}) × ${cfg.latency} ms + ${cfg.latency} ms`,
    ),
    row(
      '   arXiv bound = (API requests − 1) × spacing + feed request',
      s(b.arxiv),
      `(${b.apiRequests} − 1) × ${cfg.arxivDelay} ms + the feed (ms on loopback, not counted)`,
    ),
    row(
      '   LLM slots idle before the first LLM request',
      `${s(idle)} (median)`,
      `process start → the fake LLM's first request; last arXiv request at +${s(lastArxiv)}`,
    ),
    judged(
      '   vs one call at a time',
      `${speedup.toFixed(2)}× = ${s(serial)} / ${s(span)}`,
      `one at a time: ${b.calls} × ${cfg.latency} ms + overview; at ${cfg.concurrency}: first LLM request → end of run (median)`,
      speedup >= speedupTarget,
      `target ≥ ${speedupTarget.toFixed(2)}×`,
    ),
  ];
}

async function figArxivRequests(cfg: Config): Promise<Row[]> {
  const { runs } = await day(cfg);
  const b = dayBounds(cfg);
  const api = Math.max(...runs.map((r) => r.arxivAt.filter((q) => isApi(q.url)).length));
  const feed = Math.max(...runs.map((r) => r.arxivAt.filter((q) => isFeed(q.url)).length));
  const gaps = runs.flatMap((r) => r.arxivAt.slice(1).map((q, i) => q.at - r.arxivAt[i]!.at));
  const smallest = Math.min(...gaps);
  const timeline = runs[runs.length - 1]!.arxivAt.map((q) => `${isFeed(q.url) ? 'feed' : 'API'} +${s(q.at)}`);
  return [
    judged(
      `arXiv API requests for ${cfg.papers} ids`,
      `${api} (+${feed} feed)`,
      `≤ ceil(${cfg.papers}/${BATCH}) = ${b.apiRequests}`,
      api <= b.apiRequests,
      '',
      'OVER',
    ),
    judged(
      '   smallest gap between arXiv requests',
      `${smallest} ms (seen by the server, over ${runs.length} run(s))`,
      `≥ ${cfg.arxivDelay} ms (DIGEST_ARXIV_DELAY_MS)`,
      smallest >= cfg.arxivDelay,
      '',
      'TOO CLOSE',
    ),
    row('   arXiv requests, after the process started', timeline.join(', '), 'the last run'),
  ];
}

async function figWarmVersioned(cfg: Config): Promise<Row[]> {
  const { runs } = await day(cfg);
  const warm = median(runs.map((r) => r.warmMs));
  const llm = Math.max(...runs.map((r) => r.warmLlm));
  const api = Math.max(...runs.map((r) => r.warmApi));
  const feed = Math.max(...runs.map((r) => r.warmFeed));
  return [
    judged(
      'warm re-run of the same day (versioned ids from the feed)',
      `${s(warm)} ${ofRuns(runs.map((r) => r.warmMs))}, ${llm} LLM, ${api} API + ${feed} feed requests`,
      '≤ 0.50 s, 0 LLM requests, only the feed request',
      warm <= 500 && llm === 0 && api === 0,
    ),
  ];
}

async function figTokens(cfg: Config): Promise<Row[]> {
  const { perTemplate } = await day(cfg);
  const qa = await fullTextQa();
  return [
    ...[...perTemplate].map(([name, xs], k) =>
      row(
        `${k === 0 ? '' : '   '}tokens sent per paper: ${name}`,
        `${median(xs)} (median)`,
        'gpt-tokenizer o200k over every message sent',
      ),
    ),
    row(
      '   qa with full text, one question at a time',
      `${qa.requests} requests, ${qa.sent} tokens sent`,
      `shared prefix (system + paper) ${qa.prefix} tokens per request; cached share ${(qa.cachedShare * 100).toFixed(0)}% (as the fake server reports it)`,
    ),
  ];
}

async function fullTextQa() {
  const { countTokens } = await import('gpt-tokenizer');
  const sv = await servers(items(1), 0, QUICK_DELAY);
  try {
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
    const r = await run([BIN, 'fetch', '2609.99001', '--source', 'full', '--kind', 'qa'], sv.env(tmp('cache')));
    if (r.code !== 0) throw new Error(`fetch (full text) exited ${r.code}: ${why(r)}`);
    const reqs = sv.llm.requests.map((q) => q.body['messages'] as Array<{ content: string }>);
    const prefix = countTokens(reqs[0]![0]!.content) + countTokens(reqs[0]![1]!.content);
    const sent = reqs.reduce((a, m) => a + m.reduce((b, x) => b + countTokens(x.content), 0), 0);
    const cached = /cached (\d+)/.exec(r.stderr)?.[1];
    const prompt = /tokens in (\d+)/.exec(r.stderr)?.[1];
    return { requests: reqs.length, prefix, sent, cachedShare: cached && prompt ? Number(cached) / Number(prompt) : 0 };
  } finally {
    await sv.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Figure 4: start-up, interleaved against `node -e 0`

const ROUNDS_PER_RUN = 5;

async function figColdStart(cfg: Config): Promise<Row[]> {
  // a clean environment for both: NODE_EXTRA_CA_CERTS (set on these machines) alone adds ~40 ms to every
  // node start, which hides the CLI's own start-up cost (1.4× instead of 2.1× with it)
  const env = { PATH: process.env['PATH'] ?? '', HOME: tmp('home') };
  const cmds = { base: ['-e', '0'], help: [BIN, '--help'], version: [BIN, '--version'] };
  const order = Object.keys(cmds) as Array<keyof typeof cmds>;
  const ms: Record<keyof typeof cmds, number[]> = { base: [], help: [], version: [] };
  const rounds = cfg.runs * ROUNDS_PER_RUN;
  // one round not counted (disk cache), then each round runs all three, starting with a different one each time
  for (let i = -1; i < rounds; i++) {
    for (let k = 0; k < order.length; k++) {
      const name = order[(i + 1 + k) % order.length]!;
      const r = await run(cmds[name], env);
      if (r.code !== 0) throw new Error(`node ${cmds[name].join(' ')} exited ${r.code}: ${why(r)}`);
      if (i >= 0) ms[name].push(r.ms);
    }
  }
  const base = median(ms.base);
  return (['help', 'version'] as const).map((name, k) => {
    const pairs = ms[name].map((x, i) => x / ms.base[i]!);
    const ratio = median(ms[name]) / base;
    return judged(
      `${k === 0 ? '' : '   '}start-up: digest --${name} vs node -e 0`,
      `${ratio.toFixed(2)}× = ${median(ms[name]).toFixed(0)} / ${base.toFixed(0)} ms (medians of ${rounds} interleaved rounds; pair by pair ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}×)`,
      '≤ 2.00× (both in a clean environment: PATH and HOME only)',
      ratio <= 2,
    );
  });
}

// ---------------------------------------------------------------------------------------------------------
// The other figures: one run each

async function figMemory(cfg: Config): Promise<Row[]> {
  const sv = await servers(items(cfg.memoryPapers), 0, QUICK_DELAY);
  const out = tmp('out');
  const r = await run(dailyArgs(cfg, out), sv.env(tmp('cache')), { rss: true }).finally(() => sv.stop());
  if (r.code !== 0) throw new Error(`daily (memory) exited ${r.code}: ${why(r)}`);
  const mib = r.rssKb / 1024;
  return [
    judged(
      `peak RSS, daily with ${cfg.memoryPapers} papers, LLM at 0 ms`,
      `${mib.toFixed(0)} MiB (${s(r.ms)})`,
      '≤ 100 MiB',
      mib <= 100,
      '',
      'OVER',
    ),
  ];
}

/** The same day with a model that answers in a different shape from request to request. */
async function figMixedShapes(cfg: Config): Promise<Row[]> {
  const n = cfg.papers;
  const sv = await servers(items(n), cfg.latency, QUICK_DELAY);
  const cache = tmp('cache');
  const out = tmp('out');
  const args = dailyArgs(cfg, out);
  const env = sv.env(cache, { DIGEST_MODEL: 'shape/mixed' });
  let cold: Run, again: Run, requests: number, shapes: number, warmRequests: number;
  try {
    cold = await run(args, env);
    requests = sv.llm.requests.length;
    shapes = new Set(sv.llm.shapesUsed).size;
    sv.llm.reset();
    again = await run(args, env);
    warmRequests = sv.llm.requests.length;
  } finally {
    await sv.stop();
  }
  const written = postFiles(out);
  const followUps = requests - (2 * n + 1);
  return [
    judged(
      `daily, ${n} papers, the model answering in ${shapes} shapes at random`,
      `${written} of ${n} written (exit ${cold.code}), ${s(cold.ms)}`,
      `${requests} LLM requests = ${2 * n} + overview + ${followUps} follow-ups (≤ 1 per missing part)`,
      written === n && followUps <= 2 * n,
    ),
    judged('   warm re-run', `${s(again.ms)}, ${warmRequests} LLM requests`, '0 LLM requests', warmRequests === 0),
  ];
}

/** 20 papers whose full-text hosts are not there, with arXiv's real spacing (3 s) and backoff (10 s). */
async function figUnreachableHosts(cfg: Config): Promise<Row[]> {
  const list = items(20);
  const sv = await servers(list, cfg.latency, 3000);
  const probeServer = net.createServer();
  await new Promise<void>((r) => probeServer.listen(0, '127.0.0.1', r));
  const dead = `http://127.0.0.1:${(probeServer.address() as { port: number }).port}`;
  await new Promise<void>((r) => probeServer.close(() => r()));
  const env = sv.env(tmp('cache'), {
    DIGEST_ARXIV_HTML_URL: `${dead}/html`,
    DIGEST_AR5IV_URL: 'http://fulltext-host.invalid/html',
    DIGEST_ARXIV_PDF_URL: `${dead}/pdf`,
    DIGEST_ARXIV_RETRY_BASE_MS: '10000',
  });
  const ids = list.map((it) => it.id);
  const r = await run([BIN, 'fetch', ...ids, '--concurrency', String(cfg.concurrency)], env).finally(() => sv.stop());
  const warned = r.stderr.match(/is unreachable: skipping it/g)?.length ?? 0;
  return [
    judged(
      'fetch 20 papers, HTML/PDF host refused, ar5iv unresolvable',
      `${s(r.ms)} (exit ${r.code}), ${warned} host warnings`,
      '< 30 s for 20 papers, one warning per host (was ~8 min per paper)',
      r.code === 0 && r.ms < 30_000 && warned === 2,
    ),
  ];
}

/** The day in --batch mode: one submission, and what its measured tokens cost at the normal and the batch price. */
async function figBatchCost(cfg: Config): Promise<Row[]> {
  const sv = await servers(items(cfg.papers), cfg.latency, QUICK_DELAY);
  const out = tmp('out');
  const r = await run(
    // not --quiet: the closing line with the batch's measured tokens is an info line
    [...dailyArgs(cfg, out).filter((a) => a !== '--quiet'), '--batch'],
    sv.env(tmp('cache'), { DIGEST_BATCH_POLL_MS: '20' }),
  ).finally(() => sv.stop());
  const submissions = sv.llm.batchApi.creates;
  const m = /batch: (\d+) answer\(s\) from the Batch API, tokens in (\d+)(?: \(cached \d+\))?, out (\d+)/.exec(
    r.stderr,
  );
  if (r.code !== 0 || !m) throw new Error(`daily --batch exited ${r.code}: ${why(r)}`);
  const usage = { promptTokens: Number(m[2]), completionTokens: Number(m[3]), cachedTokens: 0 };
  return ['gpt-4.1-mini', 'qwen-plus'].map((model, k) => {
    const price = PRICES[model]!;
    const normal = costOf(usage, price)!;
    const batch = costOf(usage, batchPrice(price))!;
    return judged(
      `${k === 0 ? '' : '   '}cost of the ${cfg.papers}-paper day (post + qa, ${m[1]} answers), ${model}`,
      `normal ${formatCost(normal)}, batch ${formatCost(batch)} (${m[2]} in / ${m[3]} out tokens, ${submissions} submission, ${s(r.ms)})`,
      'batch ≤ 0.55 × normal, one submission per model',
      batch <= 0.55 * normal && submissions === 1,
    );
  });
}

/** `digest fetch` of the day's ids without a version, twice: the second run should be served by the cache. */
async function figWarmPlainIds(cfg: Config): Promise<Row[]> {
  const list = items(cfg.papers);
  const ids = list.map((it) => it.id); // no version: each must be resolved, or known fresh from the cache
  const warm: Array<{ ms: number; api: number; llm: number }> = [];
  for (let r = 0; r < cfg.runs; r++) {
    // the first fetch only fills the cache: the model answers at once
    const sv = await servers(list, 0, cfg.arxivDelay);
    try {
      const cache = tmp('cache');
      const args = (out: string) => [BIN, 'fetch', ...ids, '-o', out, '--source', 'abstract', '--quiet'];
      const first = await run([...args(tmp('out')), '--concurrency', String(cfg.concurrency)], sv.env(cache));
      if (first.code !== 0) throw new Error(`fetch exited ${first.code}: ${why(first)}`);
      sv.arxiv.reset();
      sv.llm.reset();
      const again = await run([...args(tmp('out')), '--concurrency', String(cfg.concurrency)], sv.env(cache));
      if (again.code !== 0) throw new Error(`warm fetch exited ${again.code}: ${why(again)}`);
      warm.push({ ms: again.ms, api: sv.arxiv.requests.length, llm: sv.llm.requests.length });
      progress(`plain ids run ${r + 1}/${cfg.runs}: first ${s(first.ms)}, again ${s(again.ms)}`);
    } finally {
      await sv.stop();
    }
  }
  const ms = median(warm.map((w) => w.ms));
  const api = Math.max(...warm.map((w) => w.api));
  const llm = Math.max(...warm.map((w) => w.llm));
  return [
    judged(
      `warm re-run, plain ids: digest fetch ${ids[0]} … (${cfg.papers} ids, no version), a second time`,
      `${s(ms)} ${ofRuns(warm.map((w) => w.ms))}, ${api} arXiv, ${llm} LLM requests`,
      '≤ 0.50 s, 0 arXiv requests while the cached version is fresh',
      ms <= 500 && api === 0 && llm === 0,
    ),
  ];
}

/** `digest daily` over a recorded announcement day (tests/helpers/real-day.ts, fixtures/real-days/). */
async function figRealDay(cfg: Config): Promise<Row[]> {
  const { REAL_DAY } = await import('../helpers/real-day.js');
  const papers = REAL_DAY.slice(0, cfg.papers);
  const list: FeedItem[] = papers.map((p) => ({ ...p, version: 1, abstract: p.summary, announceType: 'new' }));
  const sv = await servers(list, cfg.latency, QUICK_DELAY);
  const out = tmp('out');
  const r = await run(dailyArgs(cfg, out), sv.env(tmp('cache'))).finally(() => sv.stop());
  const written = postFiles(out);
  return [
    judged(
      `daily on a recorded day (2026-06-02 cs.CL), ${list.length} of ${REAL_DAY.length} papers`,
      `${written} of ${list.length} written, exit ${r.code}, ${s(r.ms)}, ${sv.llm.requests.length} LLM requests`,
      `every paper written, exit 0 (LLM bound ${s(Math.ceil((2 * list.length) / cfg.concurrency) * cfg.latency + cfg.latency)})`,
      written === list.length && r.code === 0,
      r.code === 0 ? '' : why(r),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// The figures: what --only selects and --check judges

const FIGURES: Figure[] = [
  {
    no: 1,
    name: 'daily',
    target: 'daily, N papers × 2 calls: ≤ 1.05 × max(LLM bound, arXiv bound) + one spacing; ≥ 7.5× one call at a time',
    measure: figDaily,
  },
  {
    no: 2,
    name: 'arxiv',
    target: 'arXiv API requests ≤ ceil(N/50); every gap ≥ the spacing',
    measure: figArxivRequests,
  },
  {
    no: 3,
    name: 'warm',
    target: 'warm re-run, versioned ids: ≤ 0.5 s, 0 LLM and 0 API requests',
    measure: figWarmVersioned,
  },
  {
    no: 4,
    name: 'startup',
    target: 'digest --help / --version vs node -e 0: ≤ 2.0×, ratio of medians of interleaved runs',
    measure: figColdStart,
  },
  {
    no: 5,
    name: 'memory',
    target: 'peak RSS, daily with 1,000 papers (BENCH_MEMORY_PAPERS): ≤ 100 MiB',
    measure: figMemory,
  },
  { no: 6, name: 'tokens', target: 'tokens sent per paper and template (reported, no target)', measure: figTokens },
  {
    no: 7,
    name: 'shapes',
    target: 'mixed answer shapes: every paper written, ≤ 1 follow-up per missing part',
    measure: figMixedShapes,
  },
  {
    no: 8,
    name: 'unreachable',
    target: '20 papers, full-text hosts down: < 30 s, one warning per host',
    measure: figUnreachableHosts,
  },
  {
    no: 9,
    name: 'cost',
    target: 'cost per day, normal vs --batch: batch ≤ 0.55 × normal, one submission',
    measure: figBatchCost,
  },
  {
    no: 10,
    name: 'warm-plain',
    target: 'warm re-run, plain ids: ≤ 0.5 s and 0 arXiv requests',
    measure: figWarmPlainIds,
  },
  {
    no: 11,
    name: 'real-day',
    target: 'daily on a recorded real day: every paper written, exit 0',
    measure: figRealDay,
  },
];

// ---------------------------------------------------------------------------------------------------------

function printTable(rows: Row[]): void {
  const cells = (r: Row) => [r.what, r.measured, r.limit, r.verdict];
  const header = ['figure', 'measured', 'limit or target', 'verdict'];
  const w = [0, 1, 2].map((i) => Math.max(header[i]!.length, ...rows.map((r) => cells(r)[i]!.length)));
  const line = (c: string[]) =>
    `${c[0]!.padEnd(w[0]!)}  ${c[1]!.padEnd(w[1]!)}  ${c[2]!.padEnd(w[2]!)}  ${c[3]}`.trimEnd();
  process.stdout.write(`machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}\n\n`);
  process.stdout.write(`${line(header)}\n`);
  for (const r of rows) process.stdout.write(`${line(cells(r))}\n`);
}

async function main(): Promise<number> {
  let cfg: Config | 'help';
  try {
    cfg = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message.replace(/\s*\n\s*/g, ' ')} (see --help)\n`);
    return 2;
  }
  if (cfg === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  progress(
    `${os.cpus().length} cores, Node ${process.version}; figures ${cfg.only.map((f) => f.no).join(', ')}; ` +
      `${cfg.papers} papers, ${cfg.latency} ms/call, concurrency ${cfg.concurrency}, arXiv spacing ${cfg.arxivDelay} ms, ${cfg.runs} run(s)`,
  );
  const rows: Row[] = [];
  for (const fig of cfg.only) {
    progress(`figure ${fig.no} (${fig.name})…`);
    const t0 = performance.now();
    let got: Row[];
    try {
      got = await fig.measure(cfg);
    } catch (err) {
      got = [row(fig.target, 'could not run', '', `FAILED: ${(err as Error).message.replace(/\s+/g, ' ')}`, false)];
    }
    progress(`figure ${fig.no} done in ${s(performance.now() - t0)}`);
    // the figure's number on its first row
    rows.push(...got.map((r, i) => (i === 0 ? { ...r, what: `${fig.no}. ${r.what}` } : r)));
  }
  printTable(rows);
  const failed = rows.filter((r) => r.ok === false);
  const crashed = failed.some((r) => r.verdict.startsWith('FAILED'));
  if (cfg.check) {
    for (const r of failed)
      process.stderr.write(`check: ${r.verdict.replace(/[,:].*$/, '')}: ${r.what.trim()} — ${r.measured}\n`);
    process.stderr.write(
      failed.length
        ? `check: ${failed.length} of ${rows.filter((r) => r.ok !== undefined).length} verdicts missed their target\n`
        : `check: all ${rows.filter((r) => r.ok !== undefined).length} verdicts ok\n`,
    );
    return failed.length ? 1 : 0;
  }
  return crashed ? 1 : 0;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });
