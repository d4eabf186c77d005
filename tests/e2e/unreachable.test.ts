/** The built CLI behind a firewall: full-text hosts and the export API not there at all. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { closedPort, NO_SUCH_HOST } from '../helpers/net.js';
import { useServers } from '../helpers/servers.js';

const s = useServers();
const FIVE = ['1605.08386', '2104.12255', '1707.08567', '1601.00001', 'astro-ph/0601001'];

describe('hosts that are not there', () => {
  it('HTML and PDF refused, ar5iv unresolvable: every post written from the abstract within seconds, each host named once', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const env = s.env({
      DIGEST_ARXIV_HTML_URL: `${dead}/html`,
      DIGEST_AR5IV_URL: `http://${NO_SUCH_HOST}/html`,
      DIGEST_ARXIV_PDF_URL: `${dead}/pdf`,
      DIGEST_ARXIV_DELAY_MS: '3000', // the default spacing: refused requests must not wait for it
      DIGEST_ARXIV_RETRY_BASE_MS: '10000',
    });
    const t0 = Date.now();
    const r = await runCli(['fetch', ...FIVE, '--concurrency', '2'], env);
    const ms = Date.now() - t0;
    expect(r.code, r.stderr).toBe(0);
    expect(ms).toBeLessThan(30_000);
    expect(r.stderr.match(/is unreachable: skipping it for the rest of this run/g)).toHaveLength(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1:\\d+ is unreachable: skipping it for the rest of this run \\(\\(ECONNREFUSED\\); no proxy is set`,
      ),
    );
    expect(r.stderr).toContain(`${NO_SUCH_HOST} is unreachable`);
    expect(
      r.stderr.match(
        /no full text \(HTML: 127\.0\.0\.1:\d+ unreachable; ar5iv: fulltext-host\.invalid unreachable; PDF: 127\.0\.0\.1:\d+ unreachable\); writing from the abstract only/g,
      ),
    ).toHaveLength(5);
    expect(r.stderr).toContain('5 of 5 done, 0 skipped, 0 failed');
    expect(r.stdout.match(/^  source: abstract$/gm)).toHaveLength(5);
  });

  it('the export API not there: exit 1 within seconds, one line naming the host and the proxy settings, no LLM call', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await runCli(
      ['fetch', ...FIVE],
      s.env({ DIGEST_ARXIV_API_URL: `http://127.0.0.1:${port}/api/query`, DIGEST_ARXIV_RETRY_BASE_MS: '10000' }),
    );
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: cannot reach 127.0.0.1:${port} (ECONNREFUSED); no proxy is set (HTTPS_PROXY / HTTP_PROXY are unset)`,
      'hint: check the network, the proxy settings and the arXiv URLs (digest config shows them)',
    ]);
    expect(s.llm.requests).toHaveLength(0);
  });

  it('through a proxy that is not there: the proxy is named, its password masked', async () => {
    const port = await closedPort();
    const r = await runCli(
      ['fetch', '1605.08386'],
      s.env({
        HTTPS_PROXY: `http://alice:pa55word@127.0.0.1:${port}`,
        HTTP_PROXY: `http://alice:pa55word@127.0.0.1:${port}`,
        NO_PROXY: '',
        DIGEST_ARXIV_RETRY_BASE_MS: '10000',
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `through HTTPS_PROXY=http://***@127.0.0.1:${port}, HTTP_PROXY=http://***@127.0.0.1:${port}`,
    );
    expect(r.stderr).not.toContain('pa55word');
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
  });
});
