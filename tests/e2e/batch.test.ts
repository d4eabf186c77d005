/**
 * --batch against the fake server's Batch API: a real day at 50 papers written exactly as the normal mode
 * writes it with one submission, a run stopped while it waits resumed without a second submission, a
 * partial batch, follow-ups in a second batch or directly, Zhipu's endpoint, a provider without a Batch
 * API, and `digest batch list` / `cancel`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticEntry } from '../fakes/fake-arxiv.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { useRealDay } from '../helpers/real-day.js';
import { useServers } from '../helpers/servers.js';

const s = useServers();
const dayEnv = useRealDay(s);
const IDS = ['2606.01001', '2606.01002', '2606.01003', '2606.01004', '2606.01005', '2606.01006'];
const addPapers = () =>
  s.arxiv.add(
    ...IDS.map((id, i) =>
      syntheticEntry(id, `Batch Study Number ${i + 1}`, `We study case ${i + 1} and report what it finds.`),
    ),
  );
const files = (dir: string) => readdirSync(dir).sort();
const chat = () => s.llm.requests.length;

describe('--batch', () => {
  it('a real day, 50 papers written: the same files as the normal mode, one upload and one batch, a re-run submits nothing', async () => {
    const normal = tempDir();
    const n = await runCli(
      ['daily', 'cs.CL', '--top', '50', '-o', normal],
      dayEnv({ DIGEST_CACHE_DIR: tempDir('digest-cache-') }),
    );
    expect(n.code, n.stderr).toBe(0);
    const normalChat = chat();
    s.llm.reset();
    const batched = tempDir();
    const env = dayEnv({ DIGEST_BATCH_POLL_MS: '10' });
    const b = await runCli(['daily', 'cs.CL', '--top', '50', '--batch', '-o', batched], env);
    expect(b.code, b.stderr).toBe(0);
    expect(s.llm.batchApi.uploads).toBe(1);
    expect(s.llm.batchApi.creates).toBe(1);
    const lines = [...s.llm.batchApi.files.values()][0]!.content.trim().split('\n');
    expect(lines).toHaveLength(100); // 50 papers × (post, qa)
    // only the day's own calls went out directly: the listing of the other 139 papers and the overview
    expect(chat()).toBe(normalChat - 100);
    expect(b.stderr).toMatch(/batch batch_1: submitted 100 request\(s\) for fake-model/);
    expect(b.stderr).toMatch(/batch batch_1: completed, 100 of 100 done/);
    expect(files(batched)).toEqual(files(normal));
    for (const f of files(normal))
      expect(readFileSync(path.join(batched, f), 'utf8'), f).toBe(readFileSync(path.join(normal, f), 'utf8'));

    s.llm.reset();
    const again = await runCli(['daily', 'cs.CL', '--top', '50', '--batch', '-o', batched], env);
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.batchApi.uploads + s.llm.batchApi.creates + chat()).toBe(0);
  });

  it('stopped while the batch runs: the next run waits for that batch and submits nothing new', async () => {
    addPapers();
    const env = s.env({ DIGEST_BATCH_POLL_MS: '10' });
    s.llm.batchApi.pollsPerState = 1_000_000;
    const first = await runCli(['fetch', ...IDS.slice(0, 3), '--batch'], env, {
      onSpawn: (kill) => {
        const t = setInterval(() => {
          if (s.llm.batchApi.creates === 1) {
            clearInterval(t);
            setTimeout(() => kill('SIGINT'), 50);
          }
        }, 10);
      },
    });
    expect(first.code).toBe(130);
    expect(first.stdout).toBe('');
    expect(s.llm.batchApi.batches.get('batch_1')!.status).toBe('validating');
    s.llm.batchApi.pollsPerState = 1;
    const second = await runCli(['fetch', ...IDS.slice(0, 3), '--batch'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('batch batch_1: 6 request(s) already submitted; waiting for it');
    expect(s.llm.batchApi.uploads).toBe(1);
    expect(s.llm.batchApi.creates).toBe(1);
    expect(second.stdout.match(/^title: /gm)).toHaveLength(3);
    expect(chat()).toBe(0);
  });

  it('a partial batch: the papers it did not answer fail with the provider reason, the others are written; --batch again asks only for those', async () => {
    addPapers();
    const env = s.env({ DIGEST_BATCH_POLL_MS: '10', DIGEST_MODEL: 'fake/batch-partial' });
    const dir = tempDir();
    const r = await runCli(['fetch', ...IDS, '--batch', '--kind', 'post', '-o', dir], env);
    expect(r.code).toBe(1);
    // every third line of the batch is refused: papers 3 and 6
    expect(r.stderr).toMatch(/2606\.01003v1: the batch did not answer 2606\.01003v1 post: content filtered/);
    expect(r.stderr).toMatch(/2606\.01006v1: the batch did not answer 2606\.01006v1 post: content filtered/);
    expect(files(dir)).toEqual(['2606.01001.md', '2606.01002.md', '2606.01004.md', '2606.01005.md']);
    const list = await runCli(['batch', 'list', '--all'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /^batch_1 {2}completed +fake\/batch-partial {2}6 request\(s\), 6 paper\(s\), 6\/6 done/m,
    );
    const again = await runCli(['fetch', ...IDS, '--batch', '--kind', 'post', '-o', dir], env);
    expect(s.llm.batchApi.creates).toBe(2);
    expect(
      [...s.llm.batchApi.files.values()]
        .filter((f) => f.purpose === 'batch')
        .at(-1)!
        .content.trim()
        .split('\n'),
    ).toHaveLength(2);
    expect(again.stderr).toContain('skipped');
  });

  it('follow-ups (a missing title) go in a second small batch, or directly with --batch-followups direct', async () => {
    addPapers();
    const env = s.env({ DIGEST_BATCH_POLL_MS: '10', DIGEST_MODEL: 'shape/no-title' });
    const r = await runCli(['fetch', ...IDS.slice(0, 2), '--batch', '--kind', 'post'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(s.llm.batchApi.creates).toBe(2);
    const second = [...s.llm.batchApi.files.values()]
      .filter((f) => f.purpose === 'batch')[1]!
      .content.trim()
      .split('\n');
    expect(second).toHaveLength(2);
    expect(second[0]).toContain('拟一个');
    expect(r.stdout.match(/^title: 一文读懂：Batch Study Number/gm)).toHaveLength(2);
    expect(chat()).toBe(0);

    s.llm.reset();
    const direct = await runCli(
      ['fetch', ...IDS.slice(2, 4), '--batch', '--kind', 'post', '--batch-followups', 'direct'],
      s.env({ DIGEST_BATCH_POLL_MS: '10', DIGEST_MODEL: 'shape/no-title' }),
    );
    expect(direct.code, direct.stderr).toBe(0);
    expect(s.llm.batchApi.creates).toBe(1);
    expect(chat()).toBe(2); // the two titles, asked as normal calls
  });

  it("Zhipu's batch names /v4/chat/completions; a provider without a Batch API is refused before any work (exit 2)", async () => {
    addPapers();
    const zhipu = await runCli(
      ['fetch', IDS[0]!, '--batch', '--kind', 'post', '--provider', 'zhipu', '--base-url', s.llm.url],
      s.env({ DIGEST_BATCH_POLL_MS: '10', ZHIPUAI_API_KEY: 'zk-test' }),
    );
    expect(zhipu.code, zhipu.stderr).toBe(0);
    expect(s.llm.batchApi.batches.get('batch_1')).toMatchObject({
      endpoint: '/v4/chat/completions',
      status: 'completed',
    });
    s.llm.reset();
    s.arxiv.reset();
    const deepseek = await runCli(
      ['fetch', IDS[0]!, '--batch', '--provider', 'deepseek'],
      s.env({ DEEPSEEK_API_KEY: 'dk-test' }),
    );
    expect(deepseek.code).toBe(2);
    expect(deepseek.stderr).toMatch(/--batch: DeepSeek has no Batch API/);
    expect(deepseek.stderr).toMatch(/run without --batch/);
    expect(s.arxiv.requests).toHaveLength(0);
    expect(s.llm.batchApi.uploads + chat()).toBe(0);
  });

  it('digest batch cancel: a pending batch is cancelled; the next --batch run submits the work again', async () => {
    addPapers();
    const env = s.env({ DIGEST_BATCH_POLL_MS: '10' });
    s.llm.batchApi.pollsPerState = 1_000_000;
    await runCli(['fetch', IDS[0]!, '--batch', '--kind', 'post'], env, {
      onSpawn: (kill) => {
        const t = setInterval(() => {
          if (s.llm.batchApi.creates === 1) {
            clearInterval(t);
            setTimeout(() => kill('SIGTERM'), 50);
          }
        }, 10);
      },
    });
    const list = await runCli(['batch', 'list'], env);
    expect(list.stdout).toMatch(/^batch_1 {2}validating +fake-model {2}1 request\(s\), 1 paper\(s\)/m);
    const cancel = await runCli(['batch', 'cancel', 'batch_1'], env);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toBe('batch_1: cancelled\n');
    expect((await runCli(['batch', 'list'], env)).stderr).toMatch(/no pending batch \(1 finished: --all lists them\)/);
    expect((await runCli(['batch', 'cancel', 'batch_9'], env)).code).toBe(2);
    s.llm.batchApi.pollsPerState = 1;
    const again = await runCli(['fetch', IDS[0]!, '--batch', '--kind', 'post'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(s.llm.batchApi.creates).toBe(2);
  });
});
