/**
 * Signals stop the spending (issue 16): after SIGINT or SIGTERM no request starts, the one in flight is
 * aborted, every answer that came back before is in the cache, and the process is gone within a second.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';

const s = useServers({ llm: { latencyMs: 1500 } });
const FOUR = ['1605.08386', '2104.12255', '1707.08567', '1601.00001'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a signal while papers are being written', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s: no request after it, exit within a second, finished answers kept', async (sig, code) => {
    const cache = tempDir('digest-cache-');
    const env = s.env({ DIGEST_CACHE_DIR: cache });
    let kill: (sig: NodeJS.Signals) => void = () => undefined;
    const run = runCli(['fetch', ...FOUR, '--concurrency', '1', '--kind', 'post'], env, {
      onSpawn: (k) => (kill = k),
    });
    // the first answer has come back and the second request is in flight
    for (let i = 0; i < 400 && s.llm.requests.length < 2; i++) await sleep(10);
    expect(s.llm.requests).toHaveLength(2);
    await sleep(100);
    const signalled = Date.now();
    kill(sig);
    const r = await run;
    const exitMs = Date.now() - signalled;
    const sent = s.llm.requests.length;
    await sleep(1_600); // anything still queued would have gone out by now
    expect(r.code).toBe(code);
    expect(exitMs).toBeLessThan(1_000);
    expect(s.llm.requests.length).toBe(sent);
    expect(sent).toBe(2);
    expect(r.stderr).toContain(sig);

    // the answer that came back is not bought again: the re-run asks only for the other three papers
    s.llm.reset();
    const again = await runCli(['fetch', ...FOUR, '--concurrency', '4', '--kind', 'post'], env);
    expect(again.code).toBe(0);
    expect(s.llm.requests).toHaveLength(3);
  });
});
