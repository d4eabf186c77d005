import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { syntheticEntry } from '../fakes/fake-arxiv.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { TEST_KEY, useServers } from '../helpers/servers.js';
import { QUESTIONS } from '../helpers/questions.js';

const s = useServers();

const frontMatter = (md: string) => parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(md)![1]!) as Record<string, unknown>;
const api = () => s.arxiv.requests.filter((q) => q.url.startsWith('/api/query'));
const posts = (stdout: string) => stdout.split(/^(?=---\ntitle:)/m).filter((p) => p.trim());

describe('digest fetch (built CLI against fake servers)', () => {
  it('prints one full Chinese post with Q&A on stdout, nothing else', async () => {
    const r = await runCli(['fetch', '1605.08386'], s.env());
    expect(r.code).toBe(0);
    const fm = frontMatter(r.stdout);
    expect(fm['title']).toBe('一文读懂：Heat-bath random walks with Markov bases');
    expect(fm['arxiv_id']).toBe('1605.08386');
    expect(fm['arxiv_version']).toBe(1);
    expect(fm['date']).toBe('2025-11-22T08:26:40Z'); // SOURCE_DATE_EPOCH
    expect((fm['digest'] as Record<string, unknown>)['model']).toBe('fake-model');
    expect(r.stdout).toContain('- papers.cool: <https://papers.cool/arxiv/1605.08386>');
    expect(r.stdout).toContain('## 摘要\n\nGraphs on lattice points');
    expect(r.stdout).toContain('## 解读');
    for (const q of QUESTIONS) {
      expect(r.stdout).toContain(`### ${q}`);
    }
    expect(r.stdout).not.toMatch(/warning|error|done,/);
    expect(r.stderr).toContain('1 of 1 done, 0 skipped, 0 failed');
    expect(s.llm.requests).toHaveLength(2);
    expect(api()).toHaveLength(1);
  });

  it('five papers in five spellings: one arXiv request, five posts in input order', async () => {
    const ids = [
      'arXiv:1605.08386',
      'https://arxiv.org/abs/astro-ph/0601001v1',
      'https://arxiv.org/pdf/2104.12255v1.pdf',
      'https://papers.cool/arxiv/1707.08567',
      'https://www.alphaxiv.org/abs/1601.00001',
    ];
    const r = await runCli(['fetch', ...ids, '--concurrency', '3'], s.env());
    expect(r.code).toBe(0);
    expect(api().length).toBeLessThanOrEqual(2);
    const got = posts(r.stdout).map((p) => frontMatter(p)['arxiv_id']);
    expect(got).toEqual(['1605.08386', 'astro-ph/0601001', '2104.12255', '1707.08567', '1601.00001']);
    expect(s.llm.requests).toHaveLength(10);
  });

  it('reads ids from stdin with -', async () => {
    const r = await runCli(['fetch', '-', '--kind', 'post'], s.env(), {
      stdin: '# my list\n1605.08386\n\n2104.12255\n',
    });
    expect(r.code).toBe(0);
    expect(posts(r.stdout).map((p) => frontMatter(p)['arxiv_id'])).toEqual(['1605.08386', '2104.12255']);
    expect(r.stdout).not.toContain('## 论文问答');
  });

  it('bad ids: one line each, exit 2, no network at all', async () => {
    const r = await runCli(['fetch', '1605.08386', 'abc', '../../etc/passwd', '2404.16418;rm -rf'], s.env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^error: bad arXiv id "abc": not an arXiv id \(accepted: 2404\.16418, /);
    expect(lines[1]).toContain('"../../etc/passwd"');
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('a not-found id is named, the others still succeed, exit 1', async () => {
    const r = await runCli(['fetch', '1605.08386', '2501.99999'], s.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: 2501.99999: not found on arXiv');
    expect(posts(r.stdout)).toHaveLength(1);
    expect(r.stderr).toContain('1 of 2 done, 0 skipped, 1 failed');
  });

  it('a <think> model: reasoning never reaches the post', async () => {
    s.llm.script({ reasoning: 'think' }, { reasoning: 'think-no-open' });
    const r = await runCli(['fetch', '1605.08386', '--concurrency', '1'], s.env());
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/think|想一想/);
    expect(r.stdout).toContain('### 总结一下论文的主要内容');
  });

  it('429 then success: the post is written, the retry is said on stderr', async () => {
    s.llm.script({
      kind: 'status',
      status: 429,
      body: { error: { message: 'Rate limit reached for requests' } },
      headers: { 'retry-after-ms': '30' },
    });
    const r = await runCli(['fetch', '1605.08386', '--kind', 'post'], s.env());
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the LLM endpoint answered 429: Rate limit reached.*retrying/);
    expect(frontMatter(r.stdout)['title']).toBe('一文读懂：Heat-bath random walks with Markov bases');
    expect(s.llm.requests).toHaveLength(2);
  });

  it('figures the abstract does not contain are flagged, not dropped', async () => {
    s.llm.script({
      text: '# 标题：随机游走\n\n想象一下……作者声称速度提升了 87.5%，而且只需要 20 页的证明。这是一段中文内容。',
    });
    const r = await runCli(['fetch', '1605.08386', '--kind', 'post'], s.env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1605.08386v1: figures not found in the text the model was given: 87.5%');
    expect((frontMatter(r.stdout)['digest'] as Record<string, unknown>)['unverified_figures']).toEqual(['87.5%']);
    expect(r.stdout).toContain('87.5%');
  });

  it('non-streaming mode gives the same post', async () => {
    const a = await runCli(['fetch', '1605.08386'], s.env());
    const b = await runCli(['fetch', '1605.08386', '--no-stream'], s.env());
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(s.llm.requests.slice(-2).every((q) => q.body['stream'] === undefined)).toBe(true);
  });

  it('-o writes one file per paper, safe names, atomically; existing files need --force', async () => {
    const dir = tempDir();
    const r = await runCli(['fetch', 'hep-th/9711200', 'astro-ph/0601001', '1605.08386', '-o', dir], s.env());
    // hep-th/9711200 is not in the recordings: named as not found
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hep-th/9711200: not found on arXiv');
    expect(readdirSync(dir).sort()).toEqual(['1605.08386.md', 'astro-ph_0601001.md']);
    expect(r.stdout.trim().split('\n')).toEqual([
      path.join(dir, 'astro-ph_0601001.md'),
      path.join(dir, '1605.08386.md'),
    ]);
    const md = readFileSync(path.join(dir, 'astro-ph_0601001.md'), 'utf8');
    expect(frontMatter(md)['arxiv_id']).toBe('astro-ph/0601001');

    writeFileSync(path.join(dir, '1605.08386.md'), 'mine');
    const again = await runCli(['fetch', '1605.08386', '-o', dir], s.env());
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('exists (use --force to overwrite)');
    expect(readFileSync(path.join(dir, '1605.08386.md'), 'utf8')).toBe('mine');
    const llmBefore = s.llm.requests.length;
    const forced = await runCli(['fetch', '1605.08386', '-o', dir, '--force'], s.env());
    expect(forced.code).toBe(0);
    expect(readFileSync(path.join(dir, '1605.08386.md'), 'utf8')).toMatch(/^---\ntitle: 一文读懂/);
    expect(s.llm.requests.length).toBeGreaterThan(llmBefore);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--json emits one JSON line per paper with the same content', async () => {
    const r = await runCli(['fetch', '1605.08386', '2104.12255', '--json'], s.env());
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['arxiv_id'])).toEqual(['1605.08386', '2104.12255']);
    expect((lines[0]!['qa'] as unknown[]).length).toBe(6);
    expect(String(lines[0]!['markdown'])).toContain('## 论文问答');
    expect(lines[1]!['title_en']).toBe('0');
  });

  it('--dry-run prints the rendered prompts and makes no LLM call, no key needed', async () => {
    const env = s.env();
    delete env['OPENAI_API_KEY'];
    const r = await runCli(['fetch', '1605.08386', '--dry-run'], env);
    expect(r.code).toBe(0);
    expect(s.llm.requests).toHaveLength(0);
    expect(r.stdout).toContain('===== 1605.08386v1 · post · system =====');
    expect(r.stdout).toContain('===== 1605.08386v1 · qa · user =====');
    expect(r.stdout).toContain('标题：Heat-bath random walks with Markov bases');
  });

  it('no API key: exit 2 naming the variable, before any request', async () => {
    const env = s.env();
    delete env['OPENAI_API_KEY'];
    const r = await runCli(['fetch', '1605.08386'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no API key for OpenAI: set OPENAI_API_KEY/);
    expect(s.arxiv.requests).toHaveLength(0);
  });

  it('bad flag values: exit 2 with the value and the accepted range', async () => {
    for (const [args, msg] of [
      [['--concurrency', '0'], /--concurrency 0: expected a whole number from 1 to 64/],
      [['--concurrency', 'lots'], /--concurrency lots/],
      [['--provider', 'nope'], /--provider "nope": unknown provider \(accepted: openai, deepseek/],
      [['--kind', 'post,missing'], /no template named "missing"/],
      [['--base-url', 'not a url'], /--base-url "not a url": not a URL/],
      [['--unknown-flag'], /unknown option '--unknown-flag'/],
    ] as const) {
      const r = await runCli(['fetch', '1605.08386', ...args], s.env());
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(s.arxiv.requests).toHaveLength(0);
  });

  it('a bad key: one clear message, the key never printed', async () => {
    s.llm.script({
      kind: 'status',
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${TEST_KEY}`, code: 'invalid_api_key' } },
    });
    const r = await runCli(['fetch', '1605.08386', '--concurrency', '1', '--verbose'], s.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/rejected the API key \(401\).*check OPENAI_API_KEY/);
    expect(r.stderr + r.stdout).not.toContain(TEST_KEY);
    expect(r.stderr.match(/rejected the API key/g)).toHaveLength(1); // (a port number may contain "401")
    expect(s.llm.requests).toHaveLength(1);
  });

  it('HTTP(S)_PROXY is honoured for arXiv and the LLM (NO_PROXY empty)', async () => {
    const http = await import('node:http');
    const net = await import('node:net');
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      // plain forward proxying, in case a client does not tunnel
      seen.push(new URL(req.url!).host);
      const target = new URL(req.url!);
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (u) => {
          res.writeHead(u.statusCode ?? 502, u.headers);
          u.pipe(res);
        },
      );
      req.pipe(up);
    });
    proxy.on('connect', (req: import('node:http').IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
      seen.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const up = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as import('node:net').AddressInfo).port;
    try {
      const r = await runCli(
        ['fetch', '1605.08386', '--kind', 'post'],
        s.env({ HTTP_PROXY: `http://127.0.0.1:${port}`, HTTPS_PROXY: `http://127.0.0.1:${port}`, NO_PROXY: '' }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(seen).toContain(new URL(s.arxiv.url).host);
      expect(seen).toContain(new URL(s.llm.url).host);
      // a proxy that needs a login: it is used, and its password is never shown, even with --verbose
      const login = `http://bob:pr0xyS3cret@127.0.0.1:${port}`;
      const v = await runCli(
        ['fetch', '1605.08386', '--kind', 'post', '--verbose'],
        s.env({ HTTP_PROXY: login, HTTPS_PROXY: login, NO_PROXY: '' }),
      );
      expect(v.code, v.stderr).toBe(0);
      expect(v.stderr + v.stdout).not.toContain('pr0xyS3cret');
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});

describe('digest prompts', () => {
  it('lists the templates and shows one', async () => {
    const list = await runCli(['prompts'], s.env());
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^post\s+post\s+built-in/m);
    expect(list.stdout).toMatch(/^qa\s+qa\s+built-in/m);
    const one = await runCli(['prompts', 'qa'], s.env());
    expect(one.stdout).toContain('有什么可以进一步探索的点？');
    const none = await runCli(['prompts', 'nope'], s.env());
    expect(none.code).toBe(2);
  });

  it('the config file\'s "prompts" folder is listed by digest prompts, as fetch and digest config use it', async () => {
    const dir = tempDir();
    const mine = path.join(dir, 'my-prompts');
    mkdirSync(mine);
    writeFileSync(
      path.join(mine, 'brief.md'),
      '---\ndescription: a one-paragraph brief\nkind: section\n---\n<!-- user -->\n{{title}}\n',
    );
    writeFileSync(path.join(dir, 'digest.config.json'), JSON.stringify({ prompts: mine }));
    const list = await runCli(['prompts'], s.env(), { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^brief\s+section\s+override\s+a one-paragraph brief$/m);
    const cfg = await runCli(['config'], s.env(), { cwd: dir });
    expect(cfg.stdout).toMatch(
      new RegExp(`^prompts\\s+${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+\\(config `, 'm'),
    );
    const flag = await runCli(['prompts', '--prompts', path.join(dir, 'none-here')], s.env(), { cwd: dir });
    expect(flag.stdout).not.toMatch(/^brief/m);
  });

  it('a --prompts template with an unknown variable fails before any request', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'post.md'), '---\ndescription: x\nkind: post\n---\n<!-- user -->\n{{titel}}\n');
    const r = await runCli(['fetch', '1605.08386', '--prompts', dir], s.env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown variable \{\{titel\}\}/);
    expect(s.arxiv.requests).toHaveLength(0);
    expect(existsSync(dir)).toBe(true);
  });

  it.each([
    [
      '{{questions}} in a post template',
      'post.md',
      'kind: post',
      '<!-- user -->\n{{title}}\n{{questions}}',
      /\{\{questions\}\} has no value in the user part of a post template/,
    ],
    [
      '{{figure_caption}} in a qa template',
      'qa.md',
      'kind: qa\nquestions:\n  - 问什么？',
      '<!-- user -->\n{{title}}\n{{figure_caption}}\n<!-- ask-all -->\n{{questions}}',
      /\{\{figure_caption\}\} has no value in the user part of a qa template/,
    ],
    [
      '{{question}} outside the ask-one part',
      'qa.md',
      'kind: qa\nquestions:\n  - 问什么？',
      '<!-- user -->\n{{title}} {{question}}\n<!-- ask-all -->\n{{questions}}',
      /\{\{question\}\} has no value in the user part/,
    ],
    [
      '{{papers}} in a post template',
      'post.md',
      'kind: post',
      '<!-- user -->\n{{papers}}',
      /\{\{papers\}\} has no value/,
    ],
  ])('%s: exit 2 before any request', async (_what, file, front, body, message) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, file), `---\ndescription: x\n${front}\n---\n${body}\n`);
    const r = await runCli(['fetch', '1605.08386', '--prompts', dir], s.env());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
  });
});

describe('interruption', () => {
  it('SIGINT mid-run: exit 130, finished posts intact, no half or temp files', async () => {
    const dir = tempDir();
    // the first paper's two calls answer; the second paper's calls hang
    s.llm.when((b) => JSON.stringify(b['messages']).includes('标题：0'), { kind: 'stall' });
    let kill: (sig: NodeJS.Signals) => void = () => undefined;
    const done = runCli(
      ['fetch', '1605.08386', '2104.12255', '-o', dir, '--concurrency', '4'],
      s.env({ DIGEST_LLM_IDLE_TIMEOUT_MS: '60000' }),
      {
        onSpawn: (k) => (kill = k),
      },
    );
    // wait until the first post is on disk and the stalled calls are in flight
    for (let i = 0; i < 200 && !(existsSync(path.join(dir, '1605.08386.md')) && s.llm.requests.length >= 4); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(readdirSync(dir)).toEqual(['1605.08386.md']);
    expect(frontMatter(readFileSync(path.join(dir, '1605.08386.md'), 'utf8'))['arxiv_id']).toBe('1605.08386');
    expect(r.stderr).toContain('SIGINT');
  });

  it('a plain id looked up in the last hours is served from the cache with no request; --refresh and a zero TTL ask arXiv again and find the newer version', async () => {
    const env = s.env({ DIGEST_CACHE_DIR: tempDir('digest-cache-') });
    const first = await runCli(['fetch', '1605.08386', '--kind', 'post'], env);
    expect(first.code).toBe(0);
    expect(api()).toHaveLength(1);

    const warm = await runCli(['fetch', '1605.08386', '--kind', 'post'], env);
    expect(warm.code).toBe(0);
    expect(api()).toHaveLength(1); // nothing asked: the version found a moment ago is trusted
    expect(warm.stdout).toBe(first.stdout);

    // arXiv now has v2; the cache still says v1 until it is asked again
    const v1 = s.arxiv.entry('1605.08386')!;
    s.arxiv.add(
      syntheticEntry('1605.08386', 'Heat-bath random walks with Markov bases', 'Graphs on lattice points, revised.', {
        version: 2,
      }),
    );
    const refreshed = await runCli(['fetch', '1605.08386', '--kind', 'post', '--refresh'], env);
    expect(api()).toHaveLength(2);
    expect(frontMatter(refreshed.stdout)['arxiv_version']).toBe(2);

    const zeroTtl = await runCli(['fetch', '1605.08386', '--kind', 'post'], {
      ...env,
      DIGEST_VERSION_TTL_MINUTES: '0',
    });
    expect(api()).toHaveLength(3);
    expect(frontMatter(zeroTtl.stdout)['arxiv_version']).toBe(2);

    // and the version --refresh found is the one the next plain run trusts
    const after = await runCli(['fetch', '1605.08386', '--kind', 'post'], env);
    s.arxiv.add(v1);
    expect(api()).toHaveLength(3);
    expect(frontMatter(after.stdout)['arxiv_version']).toBe(2);
  });

  it.each([
    ['a number', 42],
    ['empty', ''],
    ['missing', undefined],
  ])('cache entries whose answer text is %s are ignored and rebuilt, not used', async (_what, bad) => {
    const cacheDir = tempDir('digest-cache-');
    const env = s.env({ DIGEST_CACHE_DIR: cacheDir });
    const first = await runCli(['fetch', '1605.08386'], env);
    expect(first.code).toBe(0);
    const asked = s.llm.requests.length;
    let spoiled = 0;
    for (const ns of ['answers', 'llm']) {
      for (const sub of readdirSync(path.join(cacheDir, ns))) {
        for (const f of readdirSync(path.join(cacheDir, ns, sub))) {
          const file = path.join(cacheDir, ns, sub, f);
          const entry = JSON.parse(readFileSync(file, 'utf8')) as { key: string; value: Record<string, unknown> };
          entry.value['text'] = bad;
          writeFileSync(file, JSON.stringify(entry));
          spoiled++;
        }
      }
    }
    expect(spoiled).toBeGreaterThanOrEqual(4);
    const again = await runCli(['fetch', '1605.08386'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/is not a function|TypeError/);
    expect(s.llm.requests.length).toBe(asked * 2); // every answer asked for again
    expect(again.stdout).toBe(first.stdout);
  });
});

describe('a user name or password written into an endpoint URL', () => {
  it.each([
    ['--base-url', (u: string) => ({ args: ['--base-url', u], env: {} })],
    ['--arxiv-api-url', (u: string) => ({ args: ['--arxiv-api-url', u], env: {} })],
    ['DIGEST_ARXIV_API_URL', (u: string) => ({ args: [], env: { DIGEST_ARXIV_API_URL: u } })],
    ['OPENAI_BASE_URL', (u: string) => ({ args: [], env: { OPENAI_BASE_URL: u } })],
    ['DIGEST_ARXIV_RSS_URL', (u: string) => ({ args: [], env: { DIGEST_ARXIV_RSS_URL: u } })],
  ])('%s: refused before any request (exit 2), the password never printed', async (name, how) => {
    const { args, env } = how('http://me:Hunter2pw@127.0.0.1:9/v1');
    for (const cmd of args.length ? [['fetch', '1605.08386']] : [['fetch', '1605.08386'], ['config']]) {
      const r = await runCli([...cmd, ...args], s.env(env));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `${name} "http://***@127.0.0.1:9/v1": a user name or password in the URL is not accepted`,
      );
      expect(r.stderr + r.stdout).not.toContain('Hunter2pw');
    }
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.requests).toHaveLength(0);
  });
});
