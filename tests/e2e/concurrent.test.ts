/**
 * Runs started together into one folder share their answers (issue 16): each paid request is claimed in
 * the cache, and a run that finds another asking the same waits for that answer instead of buying it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';

const s = useServers({ llm: { latencyMs: 400 } });
const FIVE = ['1605.08386', '2104.12255', '1707.08567', '1601.00001', 'astro-ph/0601001'];

describe('three runs at once into one folder', () => {
  it('each answer is paid for once; every post is written once and whole', async () => {
    const env = s.env({ DIGEST_CACHE_DIR: tempDir('digest-cache-') });
    const dir = tempDir('digest-out-');
    const runs = await Promise.all(
      [0, 1, 2].map(() => runCli(['fetch', ...FIVE, '-o', dir, '--concurrency', '4'], env)),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const papers = readdirSync(dir).filter((f) => f.endsWith('.md'));
    expect(papers).toHaveLength(FIVE.length);
    // post + qa for each paper, once: not three times
    expect(s.llm.requests).toHaveLength(FIVE.length * 2);
    for (const f of papers) expect(readFileSync(path.join(dir, f), 'utf8')).toMatch(/^---\n[\s\S]*## 论文问答/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
  });
});
