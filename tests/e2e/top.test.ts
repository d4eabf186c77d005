/**
 * digest daily --top N on a real day (the 189 cs.CL papers of 2026-06-02): N posts, and every paper of the
 * day on the digest page in Chinese, in at most ceil(189/20) + N × 2 + 1 requests; a re-run makes none.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';
import { REAL_DAY, useRealDay } from '../helpers/real-day.js';

const s = useServers();
const DAY = REAL_DAY;
const env = useRealDay(s);
const entries = (page: string) => [...page.matchAll(/^### \[(\d+)\] \[([^\]]*)\]\(([^)]+)\)\n\n\*\*(.+)\*\*/gm)];

describe('digest daily --top', () => {
  it('a real day of 189 papers: 10 posts, all 189 on the page in Chinese; a re-run makes no request', async () => {
    const dir = tempDir();
    const r = await runCli(['daily', 'cs.CL', '--top', '10', '--concurrency', '8', '-o', dir], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('189 paper(s) listed, 10 to write, 179 to list in Chinese');
    const posts = readdirSync(dir).filter((f) => /^\d{4}\.\d{5}\.md$/.test(f));
    expect(posts.sort()).toEqual(
      DAY.slice(0, 10)
        .map((p) => `${p.id}.md`)
        .sort(),
    );
    const page = readFileSync(r.stdout.trim(), 'utf8');
    const listed = entries(page);
    expect(listed).toHaveLength(189);
    expect(listed.map((m) => m[4])).toEqual(DAY.map((p) => expect.stringContaining(p.title.slice(0, 20))));
    for (const m of listed.slice(10)) {
      expect(m[2]).toMatch(/^速览：/);
      expect(m[3]).toMatch(/^https:\/\/arxiv\.org\/abs\/\d{4}\.\d{5}v1$/);
    }
    for (const m of listed.slice(0, 10)) expect(m[3]).toMatch(/^\.\/\d{4}\.\d{5}\.md$/);
    expect(page).not.toContain('（暂无中文摘要）');
    expect(s.llm.requests.length).toBeLessThanOrEqual(Math.ceil(189 / 20) + 10 * 2 + 1);

    s.llm.reset();
    const again = await runCli(['daily', 'cs.CL', '--top', '10', '-o', dir], env());
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
    expect(entries(readFileSync(again.stdout.trim(), 'utf8'))).toHaveLength(189);
  });

  it('a model that leaves half of each batch out: asked again, every paper still listed in Chinese', async () => {
    const r = await runCli(
      ['daily', 'cs.CL', '--top', '0', '--concurrency', '8'],
      env({ DIGEST_MODEL: 'fake/listing-partial' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const listed = entries(r.stdout);
    expect(listed).toHaveLength(189);
    expect(listed.every((m) => m[2]!.startsWith('速览：'))).toBe(true);
    expect(s.llm.requests.length).toBeGreaterThan(Math.ceil(189 / 20) + 1);
  });

  it('numbered lines instead of JSON are read as well; --dry-run says what the listing costs', async () => {
    const dry = await runCli(['daily', 'cs.CL', '--top', '3', '--dry-run'], env());
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+ 186 paper(s) beyond --top, listed in Chinese: 10 call(s)');
    expect(s.llm.requests).toHaveLength(0);
    const r = await runCli(
      ['daily', 'cs.CL', '--top', '0', '--kind', 'post'],
      env({ DIGEST_MODEL: 'fake/listing-lines' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(entries(r.stdout).every((m) => m[2]!.startsWith('速览：'))).toBe(true);
  });
});

describe('digest daily with interests', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const fmOf = (text: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(text)![1]!) as Record<string, any>;

  it('ranks the real day against them: the 10 closest written up, score and reason on the page and in each post', async () => {
    const dir = tempDir();
    const speech = DAY.filter((p) => /\bspeech\b/i.test(p.title)).slice(0, 3);
    writeFileSync(
      path.join(dir, 'library.bib'),
      speech
        .map((p, i) => `@misc{ex${i},\n  title = {${p.title}},\n  abstract = {${p.summary.replace(/[{}]/g, '')}}\n}`)
        .join('\n\n'),
    );
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({ interests: { keywords: ['speech'], exclude: ['survey'], papers: ['library.bib'] } }),
    );
    const out = path.join(dir, 'posts');
    const dry = await runCli(['daily', 'cs.CL', '--dry-run'], env(), { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^1\. \S+  .*\[1\.00: keyword "speech"\]$/m);
    expect(dry.stdout).toContain('paper(s) beyond --top, listed in Chinese');

    const r = await runCli(['daily', 'cs.CL', '-o', out, '--concurrency', '8'], env(), { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dropped by a negative keyword/);
    const posts = readdirSync(out).filter((f) => /^\d{4}\.\d{5}\.md$/.test(f));
    expect(posts).toHaveLength(10); // the default top once interests are set
    for (const f of posts) {
      const fm = fmOf(readFileSync(path.join(out, f), 'utf8'));
      expect(fm['digest']['rank']['reason']).toMatch(/^(keyword "speech"|close to ")/);
      expect(fm['digest']['rank']['score']).toBeGreaterThan(0);
    }
    const page = readFileSync(r.stdout.trim(), 'utf8');
    expect(page).toMatch(/^相关度：1\.00（keyword "speech"）$/m);
    expect(entries(page).some((m) => /\bsurvey\b/i.test(m[4]!))).toBe(false);
  });

  it('an interests file that cannot be read or parsed: exit 2 naming it and its line, before any request', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'library.bib'),
      '@article{a,\n  title = {Speech},\n}\n@article{b,\n  title = {never closed\n',
    );
    writeFileSync(path.join(dir, 'digest.config.json'), JSON.stringify({ interests: { papers: ['library.bib'] } }));
    const r = await runCli(['daily', 'cs.CL'], env(), { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'library.bib')}:4: @article entry is not closed`);
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
    const missing = await runCli(['daily', 'cs.CL', '--interests', path.join(dir, 'nope.json')], env(), { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--interests ${path.join(dir, 'nope.json')}: cannot read it (ENOENT)`);
  });
});

describe('digest daily --rank embedding', () => {
  const setUp = () => {
    const dir = tempDir();
    const speech = DAY.filter((p) => /\bspeech\b/i.test(p.title)).slice(0, 2);
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({
        rank: 'embedding',
        interests: { description: 'spoken language and speech', papers: speech.map((p) => p.id) },
      }),
    );
    return { dir, speech };
  };

  it("ranks with the provider's embeddings, cached: a re-run asks for none", async () => {
    const { dir } = setUp();
    const r = await runCli(['daily', 'cs.CL', '--top', '3', '--kind', 'post', '-o', path.join(dir, 'posts')], env(), {
      cwd: dir,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(s.llm.embeddingRequests.length).toBeGreaterThan(0);
    expect(s.llm.embeddingRequests.every((q) => q.model === 'text-embedding-3-small')).toBe(true);
    const embedded = s.llm.embeddingRequests.flatMap((q) => (Array.isArray(q.input) ? q.input : [q.input]));
    expect(embedded).toHaveLength(189 + 3); // the day, two example papers, the description
    const page = readFileSync(r.stdout.trim(), 'utf8');
    expect(page).toMatch(/^相关度：1\.00（close to ".+"）$/m);
    s.llm.reset();
    const again = await runCli(
      ['daily', 'cs.CL', '--top', '3', '--kind', 'post', '-o', path.join(dir, 'posts')],
      env(),
      { cwd: dir },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.embeddingRequests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('an endpoint without /embeddings (404), or a provider without one: exit 2 naming it, nothing spent', async () => {
    const { dir } = setUp();
    s.llm.embeddings = false;
    const r = await runCli(['daily', 'cs.CL', '--top', '3'], env(), { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--rank embedding: OpenAI at http:\/\/127\.0\.0\.1:\d+\/v1 has no embeddings endpoint or model "text-embedding-3-small" \(404\)/,
    );
    expect(s.llm.requests).toHaveLength(0);
    const before = s.arxiv.requests.length;
    const deepseek = await runCli(
      ['daily', 'cs.CL', '--provider', 'deepseek', '--base-url', s.llm.url],
      env({ DEEPSEEK_API_KEY: 'sk-x' }),
      { cwd: dir },
    );
    expect(deepseek.code).toBe(2);
    expect(deepseek.stderr).toContain('--rank embedding: DeepSeek has no embeddings endpoint');
    expect(s.arxiv.requests).toHaveLength(before); // found before any request
  });
});

describe('digest daily --rank llm', () => {
  const setUp = () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'digest.config.json'),
      JSON.stringify({ rank: 'llm', interests: { description: 'speech recognition and spoken dialogue systems' } }),
    );
    return dir;
  };
  type Ask = { messages: Array<{ content: string }>; temperature?: number };
  const rankAsks = () =>
    s.llm.requests.map((q) => q.body as Ask).filter((b) => JSON.stringify(b.messages).includes('\\"score\\"'));

  it('the chat model scores the real day in batches; the best written up with its line as the reason; a re-run asks nothing', async () => {
    const dir = setUp();
    const out = path.join(dir, 'posts');
    const dry = await runCli(['daily', 'cs.CL', '--top', '5', '--dry-run'], env(), { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('dry run: the day is ranked lexically (--rank llm would be paid for)');
    expect(dry.stdout).toMatch(/^\+ 189 paper\(s\) ranked by the model \(--rank llm\): 10 call\(s\), about \d+ input/m);
    expect(dry.stdout).toMatch(/^\+ 184 paper\(s\) beyond --top, listed in Chinese: 10 call\(s\), about \d+ input/m);
    expect(dry.stdout).toMatch(/^estimate: \d+ LLM call\(s\) \+ 1 overview for post, qa, rank, listing;/m);
    expect(s.llm.requests).toHaveLength(0);

    const r = await runCli(['daily', 'cs.CL', '--top', '5', '--concurrency', '8', '-o', out], env(), { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(rankAsks()).toHaveLength(Math.ceil(189 / 20));
    // one consistent call per batch: the same system part (interests and scale) every time, temperature 0
    const systems = new Set(rankAsks().map((q) => q.messages[0]!.content));
    expect(systems.size).toBe(1);
    expect([...systems][0]).toContain('描述：speech recognition and spoken dialogue systems');
    expect(rankAsks().every((q) => q.temperature === 0)).toBe(true);
    expect(s.llm.requests.length).toBeLessThanOrEqual(Math.ceil(189 / 20) * 2 + 5 * 2 + 1);

    // the fake scores by words shared with the interests: the written papers are the day's best by that measure
    const shared = (p: (typeof DAY)[number]) =>
      [...new Set(`${p.title} ${p.summary}`.toLowerCase().match(/[a-z]{5,}/g))].filter((w) =>
        ['speech', 'recognition', 'spoken', 'dialogue', 'systems'].includes(w),
      ).length;
    const best = Math.max(...DAY.map(shared));
    const posts = readdirSync(out).filter((f) => /^\d{4}\.\d{5}\.md$/.test(f));
    expect(posts).toHaveLength(5);
    const fmOf = (t: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(t)![1]!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const top = DAY.find((p) => shared(p) === best)!;
    const fm = fmOf(readFileSync(path.join(out, `${top.id}.md`), 'utf8'));
    expect(fm['digest']['rank']).toEqual({ score: best / 10, reason: expect.stringMatching(/^共同的词：/) });
    const page = readFileSync(r.stdout.trim(), 'utf8');
    expect(page).toContain(`相关度：${(best / 10).toFixed(2)}（共同的词：`);
    expect(entries(page)).toHaveLength(189);

    s.llm.reset();
    const again = await runCli(['daily', 'cs.CL', '--top', '5', '-o', out], env(), { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('a model that answers in numbered lines, or leaves half of each batch out: every paper still scored', async () => {
    const dir = setUp();
    for (const model of ['fake/rank-lines', 'fake/listing-partial']) {
      s.llm.reset();
      const r = await runCli(['daily', 'cs.CL', '--top', '0'], env({ DIGEST_MODEL: model }), { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/not scored|scored none/);
      const reasons = [...r.stdout.matchAll(/^相关度：(\d\.\d\d)（(.*)）$/gm)];
      expect(reasons).toHaveLength(189);
      expect(reasons.every((m) => m[2]!.startsWith('共同的词：'))).toBe(true);
      expect(rankAsks().length).toBeGreaterThanOrEqual(Math.ceil(189 / 20));
    }
  });
});
