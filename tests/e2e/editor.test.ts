/**
 * The editor's checks on a real day (2026-06-02, 189 cs.CL papers, top 8 written): a model that plants
 * one error per post (an invented figure, an invented model name, a term written otherwise than the
 * glossary, Traditional characters) gets exactly those findings, and the day's term written two ways is
 * reported once; a clean model's posts have none. --lang zh-TW writes Traditional characters and Taiwan
 * terms whatever the model slips into; --strict marks what is left （待核实）, --strict=fail writes nothing.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { plantedTerm, plantKind } from '../fakes/fake-llm.js';
import { simplifiedLeft } from '../../src/check/script.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';
import { REAL_DAY, useRealDay } from '../helpers/real-day.js';

const s = useServers();
const DAY = REAL_DAY;
const env = useRealDay(s);
type Front = Record<string, unknown> & { digest: Record<string, unknown> };
const split = (md: string) => {
  const m = /^---\n([\s\S]*?)\n---\n\n?/.exec(md)!;
  return { fm: parseYaml(m[1]!) as Front, body: md.slice(m[0].length) };
};
const postsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^\d{4}\.\d{5}\.md$/.test(f))
    .sort()
    .map((f) => ({ id: f.slice(0, -3), ...split(readFileSync(path.join(dir, f), 'utf8')) }));
/** The user message of the post request for a paper, as the fake model saw it. */
const promptOf = (title: string) =>
  s.llm.requests
    .map(
      (q) => (q.body['messages'] as Array<{ role: string; content: string }>).find((m) => m.role === 'user')!.content,
    )
    .find((c) => c.includes(`标题：${title}\n`))!;

describe('checks on a real day', () => {
  it('each planted error is found, exactly; the term a day writes two ways is reported once; the script is converted', async () => {
    const dir = tempDir();
    const r = await runCli(
      ['daily', 'cs.CL', '--top', '16', '--kind', 'post', '-o', dir],
      env({ DIGEST_MODEL: 'fake/plant' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const posts = postsIn(dir);
    expect(posts).toHaveLength(16);
    const kinds = new Set<string>();
    const usage = new Map<string, Set<string>>();
    for (const p of posts) {
      const title = String(p.fm['title_en']);
      const kind = plantKind(title);
      kinds.add(kind);
      const term = plantedTerm(promptOf(title));
      const abstract = DAY.find((d) => d.id === p.id)!.summary;
      expect(abstract).not.toContain('41.7');
      expect(p.fm.digest['unverified_figures'], p.id).toEqual(kind === 'figure' ? ['41.7%'] : undefined);
      expect(p.fm.digest['unverified_names'], p.id).toEqual(kind === 'name' ? ['ZetaLM-9'] : undefined);
      expect(p.fm.digest['terms'], p.id).toEqual(
        kind === 'term' && term ? [`${term.en}: 写作「${term.slip}」，术语表为「${term.zh}」`] : undefined,
      );
      if (kind === 'figure')
        expect(p.fm.digest['unverified']).toEqual([
          expect.objectContaining({
            claim: '41.7%',
            kind: 'figure',
            sentence: expect.stringContaining('准确率提升了 41.7%'),
          }),
        ]);
      if (kind === 'script') expect(p.body).toContain('这篇论文的实验设计很有参考价值');
      expect(p.body).not.toMatch(/[這篇論實驗設計參價值]{2}/);
      expect(p.fm['draft']).toBeUndefined(); // findings are for the editor; nothing here is a broken answer
      if (term) usage.set(term.en, (usage.get(term.en) ?? new Set()).add(kind === 'term' ? term.slip : term.zh));
    }
    expect(kinds.size).toBeGreaterThanOrEqual(3); // the day really planted several kinds
    const twoWays = [...usage].filter(([, set]) => set.size > 1).map(([en]) => en);
    expect(twoWays.length).toBeGreaterThan(0);
    const dayLines = r.stderr.split('\n').filter((l) => l.includes('terms across the day:'));
    expect(dayLines.map((l) => /terms across the day: ([^:]+):/.exec(l)![1]).sort()).toEqual(twoWays.sort());
    const page = split(readFileSync(path.join(dir, '2026-11-16-cs.CL.md'), 'utf8'));
    expect((page.fm.digest['terms'] as string[]).length).toBe(twoWays.length);
    // the findings are on stderr too, one line per post
    expect(
      r.stderr.split('\n').filter((l) => /figures not found in the text the model was given: 41\.7%/.test(l)),
    ).toHaveLength(posts.filter((p) => plantKind(String(p.fm['title_en'])) === 'figure').length);
  });

  it('a clean model: no findings in any post or on the page', async () => {
    const dir = tempDir();
    const r = await runCli(['daily', 'cs.CL', '--top', '8', '--kind', 'post,qa', '-o', dir], env());
    expect(r.code, r.stderr).toBe(0);
    const posts = postsIn(dir);
    expect(posts).toHaveLength(8);
    for (const p of posts) {
      for (const k of ['unverified', 'unverified_figures', 'unverified_names', 'terms', 'problems'])
        expect(p.fm.digest[k], `${p.id} ${k}`).toBeUndefined();
      expect(p.fm['draft']).toBeUndefined();
    }
    expect(r.stderr).not.toMatch(/not found in the text|terms:|terms across the day|draft/);
  });
});

describe('--lang', () => {
  it('zh-TW: no Simplified character left in the prose (the converter round trip changes nothing), Taiwan terms, lang in front matter', async () => {
    const dir = tempDir();
    const r = await runCli(
      ['daily', 'cs.CL', '--top', '3', '--lang', 'zh-TW', '-o', dir],
      env({ DIGEST_MODEL: 'fake/mainland' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const posts = postsIn(dir);
    expect(posts).toHaveLength(3);
    for (const p of posts) {
      expect(p.fm['lang']).toBe('zh-TW');
      const prose = `${String(p.fm['title'])}\n${String(p.fm['summary'])}\n${p.body}`;
      expect(simplifiedLeft(prose), p.id).toEqual([]);
      expect(p.body).toContain('## 論文問答');
      expect(p.body).toContain('### 這篇論文試圖解決什麼問題？');
      expect(p.body).toContain('資料');
      expect(p.body).toContain('軟體');
      expect(p.body).not.toMatch(/数据|软件|論文问答/);
      const abstract = DAY.find((d) => d.id === p.id)!.summary;
      // the glossary's Taiwan rendering where the paper uses the term
      if (/large language models?/i.test(abstract)) {
        expect(p.body).toContain('大型語言模型');
        expect(p.body).not.toMatch(/(?<!型)大語言模型/);
      }
    }
    expect(posts.some((p) => /large language models?/i.test(DAY.find((d) => d.id === p.id)!.summary))).toBe(true);
    // the prompt asked for the variant
    // posts, Q&A and the overview are asked for it (the listing's one-line summaries are converted after)
    const asked = s.llm.requests.map((q) => JSON.stringify(q.body['messages'])).filter((m) => !m.includes('<batch>'));
    expect(asked.length).toBeGreaterThanOrEqual(7);
    for (const m of asked) expect(m.includes('繁體中文（臺灣用語）'), m.slice(0, 200)).toBe(true);
    const page = readFileSync(path.join(dir, '2026-11-16-cs.CL.md'), 'utf8');
    expect(page).toContain('## 論文列表');
    expect(simplifiedLeft(page)).toEqual([]);
  });

  it('an unknown variant: exit 2 naming it and the accepted ones, before any request', async () => {
    const r = await runCli(['fetch', '2404.16418', '--lang', 'zh-SG'], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/--lang zh-SG: unknown Chinese variant \(accepted: zh-CN, zh-TW, zh-HK\)/);
    expect(s.llm.requests).toHaveLength(0);
  });
});

describe('--strict', () => {
  it('--strict: the unsupported figure is sent back once with its sentence, then marked （待核实）; --strict=fail writes nothing and exits 1', async () => {
    const dir = tempDir();
    // the fake repeats its answer when asked to fix it: what is left is marked
    const r = await runCli(
      ['daily', 'cs.CL', '--top', '8', '--kind', 'post', '--strict', '-o', dir],
      env({ DIGEST_MODEL: 'fake/plant' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const figured = postsIn(dir).filter((p) => plantKind(String(p.fm['title_en'])) === 'figure');
    expect(figured.length).toBeGreaterThan(0);
    for (const p of figured) {
      expect(p.body).toContain('准确率提升了 41.7%（待核实）');
      const title = String(p.fm['title_en']);
      const fix = s.llm.requests
        .map((q) => q.body['messages'] as Array<{ content: string }>)
        .find(
          (m) =>
            m[m.length - 1]!.content.startsWith('你的回答有以下问题') &&
            m.some((x) => x.content.includes(`标题：${title}\n`)),
        );
      expect(fix?.at(-1)!.content).toContain('41.7%：请删去，或改成论文给出的数字或名称');
    }
    const fail = await runCli(
      ['daily', 'cs.CL', '--top', '8', '--kind', 'post', '--strict=fail', '-o', tempDir()],
      env({ DIGEST_MODEL: 'fake/plant' }),
    );
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/not written \(--strict=fail\): 41\.7%/);
  });
});

describe('digest check', () => {
  it('posts as written: planted figures and names are problems, terms warnings, the rest ok (exit 1); clean posts exit 0', async () => {
    const dir = tempDir();
    const w = await runCli(['daily', 'cs.CL', '--top', '8', '-o', dir], env({ DIGEST_MODEL: 'fake/plant' }));
    expect(w.code, w.stderr).toBe(0);
    const r = await runCli(['check', dir, '--json'], env());
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as {
      posts: Array<{
        id: string;
        ok: boolean;
        problems: Array<{ check: string; message: string }>;
        warnings: Array<{ check: string; message: string }>;
      }>;
      checked: number;
    };
    expect(report.checked).toBe(8); // the digest page is not a post
    for (const p of report.posts) {
      const { fm } = split(readFileSync(path.join(dir, `${p.id}.md`), 'utf8'));
      const kind = plantKind(String(fm['title_en']));
      const claim = kind === 'figure' ? '41.7%' : kind === 'name' ? 'ZetaLM-9' : undefined;
      expect(
        p.problems.map((x) => `${x.check}: ${x.message.split(' ')[0]}`),
        p.id,
      ).toEqual(claim ? [`facts: ${claim}`] : []);
      expect(p.ok).toBe(!claim);
      expect(
        p.warnings.map((x) => x.check),
        p.id,
      ).toEqual(fm.digest['terms'] ? ['terms'] : []);
    }

    const clean = tempDir();
    const c = await runCli(['daily', 'cs.CL', '--top', '4', '-o', clean], env());
    expect(c.code, c.stderr).toBe(0);
    const ok = await runCli(['check', clean], env());
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/checked 4 post\(s\): no problems\n$/);
  });

  it('a post edited by hand: each break is found and named; a missing path is exit 2', async () => {
    const dir = tempDir();
    const w = await runCli(['daily', 'cs.CL', '--top', '1', '-o', dir], env());
    expect(w.code, w.stderr).toBe(0);
    const file = readdirSync(dir).find((f) => /^\d{4}\.\d{5}\.md$/.test(f))!;
    const before = await runCli(['check', path.join(dir, file)], env());
    expect(before.code, before.stdout).toBe(0);
    const md = readFileSync(path.join(dir, file), 'utf8');
    const edited = md
      .replace(/(### 有哪些相关研究？\n\n)[\s\S]*?(?=\n### )/, '$1')
      .replace(
        '## 论文问答',
        [
          'We then added a long paragraph in English by hand, which says a lot about the method and the results without a single word of Chinese in it at all.',
          '',
          '<div class="note">一段 HTML</div>',
          '',
          '见[演示](&#106;avascript:alert(1))，據說效果提升了 63%。',
          '',
          '```python',
          'print(1)',
          '',
          '## 论文问答',
        ].join('\n'),
      );
    writeFileSync(path.join(dir, file), edited);
    const r = await runCli(['check', path.join(dir, file)], env());
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('  problem'));
    const checks = lines.map((l) => /problem {2}([a-z-]+):/.exec(l)![1]);
    for (const c of ['language', 'markdown', 'links', 'script', 'facts', 'qa']) expect(checks, r.stdout).toContain(c);
    expect(r.stdout).toContain('第 2 个问题的回答是空的（有哪些相关研究？）');
    expect(r.stdout).toContain('有 HTML 标签（div）');
    expect(r.stdout).toContain('有一个代码块没有闭合');
    expect(r.stdout).toContain('不安全的链接：javascript:alert(1');
    expect(r.stdout).toContain('63% 在论文中找不到');
    expect(r.stdout).toMatch(/简体文章里有繁体字：據說/);

    const missing = await runCli(['check', path.join(dir, 'nope')], env());
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(
      /nope: cannot read it \(ENOENT\); expected a post file or a folder of posts$/,
    );
  });
});
