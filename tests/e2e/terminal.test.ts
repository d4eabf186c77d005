/** stdout on a terminal: the post streams as the model writes it (a pty from util-linux `script`). */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { useServers } from '../helpers/servers.js';

const s = useServers({ llm: { chunkDelayMs: 2 } });

function inTerminal(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      env: { ...env, TERM: 'dumb' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.resume();
    child.on('close', (code) => resolve({ code, out: out.replace(/\r/g, '') }));
  });
}

describe('on a terminal', () => {
  it('streams the metadata, then the post and the Q&A as they are written, without front matter', async () => {
    const r = await inTerminal(['fetch', '1605.08386', '--quiet'], s.env());
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^---\ntitle:/m);
    const order = [
      '**Heat-bath random walks with Markov bases**',
      '## 摘要',
      '# 一文读懂：Heat-bath random walks with Markov bases',
      '## 论文问答',
      '### 6. 总结一下论文的主要内容',
    ];
    const idx = order.map((x) => r.out.indexOf(x));
    expect(
      idx.every((i) => i >= 0),
      JSON.stringify(idx),
    ).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
  });

  it('a reasoning model without an opening tag: the preview says where the reasoning ended', async () => {
    s.llm.script({ reasoning: 'think-no-open' }, { reasoning: 'think-no-open' });
    const r = await inTerminal(['fetch', '1605.08386', '--quiet', '--concurrency', '1'], s.env());
    expect(r.code).toBe(0);
    expect(r.out).toContain('以上是模型的思考过程，不会写入文章');
  });
});
