import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { rssFeed, syntheticEntry, type FeedItem } from '../fakes/fake-arxiv.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { TEST_KEY, useServers } from '../helpers/servers.js';

const s = useServers();
let cacheDir: string;
beforeEach(() => {
  s.arxiv.rss = undefined; // the recorded cs.LG+cs.AI+cs.CL+stat.ML feed of Thu 24 Sep 2026
  cacheDir = tempDir('digest-cache-');
});

const THU_MORNING = String(Date.parse('2026-09-24T14:00:00Z') / 1000);
const env = (extra: Record<string, string> = {}) =>
  s.env({
    DIGEST_ARXIV_RSS_URL: s.arxiv.url.replace('/api/query', '/rss'),
    DIGEST_CACHE_DIR: cacheDir,
    SOURCE_DATE_EPOCH: THU_MORNING,
    ...extra,
  });
const fm = (md: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(md)![1]!) as Record<string, unknown>;
const postFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^\d{4}\.\d{4,5}\.md$/.test(f))
    .sort();

function items(n: number): FeedItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `2611.${String(10001 + i)}`,
    version: 1,
    title: `Synthetic Paper ${i + 1} on Language Models`,
    abstract: `We study problem number ${i + 1} with a simple method and report results.`,
    announceType: 'new' as const,
    categories: ['cs.CL'],
    authors: [`Author ${i + 1}`, 'Shared Coauthor'],
  }));
}

function serveFeed(list: FeedItem[], pubDate = 'Tue, 17 Nov 2026 00:00:00 -0500') {
  s.arxiv.rss = (cats) => rssFeed(cats, pubDate, list);
  s.arxiv.add(
    ...list.map((it) =>
      syntheticEntry(it.id, it.title, it.abstract, { categories: it.categories, authors: it.authors }),
    ),
  );
}
const TUE_MORNING = String(Date.parse('2026-11-17T15:00:00Z') / 1000);

describe('digest daily (built CLI against fake servers)', () => {
  it('writes every new post and the digest page; a second run makes no LLM request', async () => {
    const dir = tempDir();
    const r = await runCli(['daily', 'cs.LG', 'cs.AI', 'cs.LG', '-o', dir], env());
    expect(r.code, r.stderr).toBe(0);
    expect(s.arxiv.requests[0]!.url).toBe('/rss/cs.LG+cs.AI');
    expect(postFiles(dir)).toEqual(['2609.26811.md', '2609.26820.md']);
    const pageFile = path.join(dir, '2026-09-23-cs.LG+cs.AI.md');
    expect(r.stdout.trim()).toBe(pageFile);
    const page = readFileSync(pageFile, 'utf8');
    expect(fm(page)['papers']).toEqual(['2609.26811', '2609.26820']);
    expect(page).toContain('## 今日综述');
    expect(fm(page)['draft']).toBeUndefined(); // an overview true to the day is not held back
    expect(page).toContain(
      '### [1] [一文读懂：The Drift Contract: Spectral Updates for Depth-Robust Local Learning](./2609.26811.md)',
    );
    expect(page).toContain('<https://papers.cool/arxiv/2609.26820>');
    expect(page).toMatch(/Authors: Naser Mansour ; Sidahmed Benabderrahmane/);
    // the English abstract follows the authors, on one line, as the listing pages readers know show it
    expect(page).toMatch(
      /Authors: Naser Mansour[^\n]*\n\nSummary: Physiological time series such as electrocardiograms \(ECG\)[^\n]*\n\n/,
    );
    expect(page).toContain('标签：`cs.LG` `cs.AI`');
    const post = readFileSync(path.join(dir, '2609.26811.md'), 'utf8');
    expect(fm(post)['arxiv_id']).toBe('2609.26811');
    expect(String(fm(post)['summary'])).toMatch(/^这篇论文围绕/);
    expect(s.llm.requests).toHaveLength(5); // 2 papers × (post, qa) + the overview
    expect(r.stderr).toContain('2 of 2 done, 0 skipped, 0 failed');

    s.arxiv.reset();
    s.llm.reset();
    const again = await runCli(['daily', 'cs.LG', 'cs.AI', '-o', dir], env());
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
    expect(s.arxiv.requests.map((q) => q.url)).toEqual(['/rss/cs.LG+cs.AI']); // metadata known at that version: no API call
    expect(readFileSync(pageFile, 'utf8')).toBe(page);
  });

  it('an overview that invents the day (more papers than there are, a paper [6] of two, a share of nothing) is sent back once with what to fix, then the page is a draft that says why', async () => {
    const dir = tempDir();
    const r = await runCli(
      ['daily', 'cs.LG', 'cs.AI', '-o', dir, '--kind', 'post'],
      env({ DIGEST_MODEL: 'fake/overview-invents' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const overviews = s.llm.requests.filter((q) => JSON.stringify(q.body['messages']).includes('<papers>'));
    expect(overviews).toHaveLength(2);
    const followUp = String((overviews[1]!.body['messages'] as Array<{ content: string }>).at(-1)!.content);
    expect(followUp).toMatch(/^你的回答有以下问题/);
    expect(followUp).toContain('引用了不存在的论文编号 [6]：今天只有 2 篇');
    expect(followUp).toContain('今天共有 7 篇');
    expect(followUp).toContain('37%');
    const page = readFileSync(path.join(dir, '2026-09-23-cs.LG+cs.AI.md'), 'utf8');
    expect(fm(page)['draft']).toBe(true);
    const problems = (fm(page)['digest'] as { problems: string[] }).problems;
    expect(problems).toHaveLength(3);
    expect(problems.every((p) => p.startsWith('overview: '))).toBe(true);
    expect(r.stderr).toMatch(/digest overview: .*the page is written as a draft/);
  });

  it('--include-cross and --include-replaced widen the selection', async () => {
    const r = await runCli(['daily', 'cs.LG', '--include-cross', '--include-replaced', '--kind', 'post'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(fm(r.stdout)['papers']).toEqual(['2609.26811', '2609.26820', '2205.06398', '2009.13987']);
    // without -o: the page alone on stdout, links to arXiv
    expect(r.stdout).toContain('](https://arxiv.org/abs/2205.06398v2)');
  });

  it('filters: --match, --exclude, --authors, --limit (in arXiv order)', async () => {
    serveFeed(items(6));
    const run = (args: string[]) =>
      runCli(['daily', 'cs.CL', '--kind', 'post', '--dry-run', ...args], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    const ids = (out: string) => [...out.matchAll(/^\d+\. (2611\.\d+)v1/gm)].map((m) => m[1]);
    expect(ids((await run(['--match', 'paper [135] '])).stdout)).toEqual(['2611.10001', '2611.10003', '2611.10005']);
    expect(ids((await run(['--exclude', 'number [12] '])).stdout)).toEqual([
      '2611.10003',
      '2611.10004',
      '2611.10005',
      '2611.10006',
    ]);
    expect(ids((await run(['--authors', 'author 4,AUTHOR 6'])).stdout)).toEqual(['2611.10004', '2611.10006']);
    expect(ids((await run(['--limit', '2'])).stdout)).toEqual(['2611.10001', '2611.10002']);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('--dry-run lists the papers and estimates tokens and cost', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({ prices: { 'fake-model': { input: 1, output: 2 } } }),
    );
    const r = await runCli(['daily', 'cs.LG', '--dry-run'], env(), { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1\. 2609\.26811v1 {2}The Drift Contract/m);
    expect(r.stdout).toMatch(
      /estimate: 14 LLM call\(s\) \+ 1 overview for post, qa; about \d+ input and \d+ output tokens; cost \$0\.\d+ with fake-model/,
    );
    expect(s.llm.requests).toHaveLength(0);
    expect(readdirSync(dir)).toEqual(['digest.config.json']);
  });

  it('30 papers, one failing: 29 written, exit 1, summary right; the re-run does only the missing one', async () => {
    serveFeed(items(30));
    const dir = tempDir();
    const isPaper17 = (b: Record<string, unknown>) => JSON.stringify(b['messages']).includes('Synthetic Paper 17 on');
    s.llm.when(isPaper17, {
      kind: 'status',
      status: 400,
      body: { error: { message: 'Content Exists Risk', type: 'invalid_request_error' } },
    });
    const r = await runCli(
      ['daily', 'cs.CL', '-o', dir, '--concurrency', '8'],
      env({ SOURCE_DATE_EPOCH: TUE_MORNING }),
    );
    expect(r.code).toBe(1);
    expect(postFiles(dir)).toHaveLength(29);
    expect(existsSync(path.join(dir, '2611.10017.md'))).toBe(false);
    expect(r.stderr).toContain('29 of 30 done, 0 skipped, 1 failed');
    expect(r.stderr).toMatch(
      /failed: the provider refused this paper \(content moderation: Content Exists Risk\) — 2611\.10017v1/,
    );
    const page = readFileSync(path.join(dir, '2026-11-16-cs.CL.md'), 'utf8');
    expect((fm(page)['papers'] as string[]).length).toBe(29);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);

    s.llm.reset();
    const again = await runCli(['daily', 'cs.CL', '-o', dir], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    expect(again.code, again.stderr).toBe(0);
    expect(postFiles(dir)).toHaveLength(30);
    // post + qa for paper 17, then the overview of the now complete day
    expect(s.llm.requests).toHaveLength(3);
    expect(s.llm.requests.slice(0, 2).every((q) => isPaper17(q.body))).toBe(true);
    expect(again.stderr).toContain('1 of 30 done, 29 skipped, 0 failed');

    s.llm.reset();
    const third = await runCli(['daily', 'cs.CL', '-o', dir], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    expect(third.code).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('everything cached, posts deleted: rebuilt with zero LLM calls', async () => {
    const dir = tempDir();
    await runCli(['daily', 'cs.LG', '-o', dir], env());
    for (const f of postFiles(dir)) unlinkSync(path.join(dir, f));
    s.llm.reset();
    const r = await runCli(['daily', 'cs.LG', '-o', dir], env());
    expect(r.code, r.stderr).toBe(0);
    expect(postFiles(dir)).toEqual(['2609.26811.md', '2609.26820.md']);
    expect(s.llm.requests).toHaveLength(0);
    expect(r.stderr).toContain('4 answer(s) from cache');
    const nocache = await runCli(['daily', 'cs.LG', '--no-cache', '--kind', 'post'], env());
    expect(nocache.code).toBe(0);
    expect(s.llm.requests.length).toBe(3);
  });

  it('a weekend is a quiet day (exit 0); an empty feed on an announcement day is an error (exit 1)', async () => {
    s.arxiv.rss = (cats) => rssFeed(cats, 'Sat, 21 Nov 2026 00:00:00 -0500', []);
    const sat = await runCli(
      ['daily', 'cs.CL', '-o', tempDir()],
      env({ SOURCE_DATE_EPOCH: String(Date.parse('2026-11-21T15:00:00Z') / 1000) }),
    );
    expect(sat.code).toBe(0);
    expect(sat.stderr).toMatch(/2026-11-20 is a Friday: arXiv announces Sunday to Thursday, so the feed is empty/);
    expect(sat.stdout).toBe('');

    const tue = await runCli(['daily', 'cs.CL'], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    expect(tue.code).toBe(1);
    expect(tue.stderr).toMatch(/is empty, but 2026-11-16 was an announcement day/);
    expect(s.llm.requests).toHaveLength(0);
  });

  it("a stale feed is an error, not yesterday's digest again", async () => {
    serveFeed(items(2), 'Mon, 16 Nov 2026 00:00:00 -0500');
    const r = await runCli(['daily', 'cs.CL'], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is stale: it holds the 2026-11-15 announcement, but 2026-11-16's is due/);
  });

  it('--date: the API listing of that announcement window; Friday is a quiet day', async () => {
    const inside = syntheticEntry('2611.20001', 'Inside the Monday window', 'Abstract one.', {
      categories: ['cs.CL'],
      published: '2026-11-16T20:00:00Z',
    });
    const cross = syntheticEntry('2611.20002', 'A cross-list into cs.CL', 'Abstract two.', {
      categories: ['cs.LG', 'cs.CL'],
      published: '2026-11-17T02:00:00Z',
    });
    const outside = syntheticEntry('2611.20003', 'Submitted after the cutoff', 'Abstract three.', {
      categories: ['cs.CL'],
      published: '2026-11-17T19:30:00Z',
    });
    s.arxiv.add(inside, cross, outside);
    const r = await runCli(
      ['daily', 'cs.CL', '--date', '2026-11-17', '--kind', 'post', '--dry-run'],
      env({ SOURCE_DATE_EPOCH: String(Date.parse('2026-11-20T12:00:00Z') / 1000) }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('2611.20001v1  Inside the Monday window');
    expect(r.stdout).not.toContain('2611.20002');
    expect(r.stdout).not.toContain('2611.20003');
    const q = new URL(s.arxiv.requests[0]!.url, 'http://x').searchParams.get('search_query');
    expect(q).toBe('(cat:cs.CL) AND submittedDate:[202611161900 TO 202611171859]');
    const withCross = await runCli(
      ['daily', 'cs.CL', '--date', '2026-11-17', '--include-cross', '--dry-run'],
      env({ SOURCE_DATE_EPOCH: String(Date.parse('2026-11-20T12:00:00Z') / 1000) }),
    );
    expect(withCross.stdout).toContain('2611.20002v1');

    const fri = await runCli(['daily', 'cs.CL', '--date', '2026-11-20'], env());
    expect(fri.code).toBe(0);
    expect(fri.stderr).toContain('2026-11-20 is a Friday');
  });

  it('bad input: exit 2, one line naming the value, no request', async () => {
    for (const [args, msg] of [
      [['--date', '2026-02-30'], /--date "2026-02-30": expected a calendar date as YYYY-MM-DD/],
      [['--match', '(unclosed'], /--match "\(unclosed": not a valid regular expression/],
      [['--limit', '-1'], /--limit -1|unknown option/],
      [['--max-cost', 'lots'], /--max-cost lots: expected an amount in US dollars/],
      [['CS CL'], /category "CS CL": expected an arXiv category/],
    ] as const) {
      const r = await runCli(['daily', ...args], env());
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('--max-cost stops starting papers once the estimate would pass it', async () => {
    serveFeed(items(6));
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({ prices: { 'fake-model': { input: 100, output: 100 } } }),
    );
    const dry = await runCli(
      ['daily', 'cs.CL', '--kind', 'post', '--dry-run'],
      env({ SOURCE_DATE_EPOCH: TUE_MORNING }),
      { cwd: dir },
    );
    const total = Number(/cost \$([\d.]+)/.exec(dry.stdout)![1]);
    const cap = (total / 6) * 2.5; // room for two papers
    const r = await runCli(
      ['daily', 'cs.CL', '--kind', 'post', '--max-cost', cap.toFixed(4), '-o', path.join(dir, 'out')],
      env({ SOURCE_DATE_EPOCH: TUE_MORNING }),
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(postFiles(path.join(dir, 'out'))).toEqual(['2611.10001.md', '2611.10002.md']);
    expect(r.stderr).toMatch(/--max-cost \$[\d.]+: 4 paper\(s\) will not be started/);
    expect(r.stderr).toContain('2 of 6 done, 4 skipped, 0 failed');
  });

  it('SIGINT mid-batch: exit 130, finished posts intact, no temp files; the re-run completes the rest', async () => {
    serveFeed(items(4));
    const dir = tempDir();
    s.llm.when((b) => /Synthetic Paper [34] on/.test(JSON.stringify(b['messages'])), { kind: 'stall' });
    let kill: (sig: NodeJS.Signals) => void = () => undefined;
    const done = runCli(['daily', 'cs.CL', '-o', dir, '--concurrency', '8'], env({ SOURCE_DATE_EPOCH: TUE_MORNING }), {
      onSpawn: (k) => (kill = k),
    });
    for (let i = 0; i < 200 && postFiles(dir).length < 2; i++) await new Promise((res) => setTimeout(res, 25));
    kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(readdirSync(dir).sort()).toEqual(['2611.10001.md', '2611.10002.md']);
    s.llm.reset();
    const again = await runCli(['daily', 'cs.CL', '-o', dir], env({ SOURCE_DATE_EPOCH: TUE_MORNING }));
    expect(again.code, again.stderr).toBe(0);
    expect(postFiles(dir)).toHaveLength(4);
    expect(s.llm.requests).toHaveLength(5); // two papers × 2 + overview
  });
});

describe('configuration file and digest config', () => {
  it('categories and kinds come from digest.config.json; flags beat env beat the file', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({ categories: ['cs.AI'], kinds: ['post'], concurrency: 3, model: 'from-file' }),
    );
    const r = await runCli(['daily', '--dry-run'], env({ DIGEST_MODEL: '' }), { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(s.arxiv.requests[0]!.url).toBe('/rss/cs.AI');
    const cfg = await runCli(['config', '--model', 'from-flag'], env({ DIGEST_CONCURRENCY: '5' }), { cwd: dir });
    expect(cfg.code).toBe(0);
    expect(cfg.stdout).toMatch(/^model\s+from-flag\s+\(flag\)$/m);
    expect(cfg.stdout).toMatch(/^concurrency\s+5\s+\(env DIGEST_CONCURRENCY\)$/m);
    expect(cfg.stdout).toMatch(/^kinds\s+post\s+\(config .*digest\.config\.json\)$/m);
    expect(cfg.stdout).toMatch(/^api_key\s+set \(hidden\)\s+\(env OPENAI_API_KEY\)$/m);
    expect(cfg.stdout).not.toContain(TEST_KEY);
  });

  it('a config file that is not JSON, has an unknown key or a wrong type: exit 2 naming it', async () => {
    for (const [content, msg] of [
      ['{ not json', /not valid JSON/],
      ['{"categorys": ["cs.CL"]}', /unknown key "categorys"/],
      ['{"concurrency": "four"}', /"concurrency" must be a whole number/],
      ['{"categories": "cs.CL"}', /"categories" must be a list of one or more non-empty strings/],
    ] as const) {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'digest.config.json'), content);
      const r = await runCli(['daily', '--dry-run'], env(), { cwd: dir });
      expect(r.code, content).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const missing = await runCli(['daily', '--config', '/nonexistent.json'], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--config \/nonexistent\.json: cannot read it/);
  });
});
