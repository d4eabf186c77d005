/**
 * `npm run demo`: the whole pipeline with no API key and no network. Starts the fake arXiv (serving
 * recorded responses) and the fake OpenAI-compatible server on 127.0.0.1, then runs the built CLI:
 * `digest fetch <ids>` (default: a recorded paper). Extra arguments are passed to `digest fetch`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { FakeArxiv } from '../fakes/fake-arxiv.js';
import { FakeLlm } from '../fakes/fake-llm.js';
import { ROOT } from '../fakes/root.js';

const BIN = path.join(ROOT, 'bin/digest.js');

async function main(): Promise<void> {
  const arxiv = new FakeArxiv();
  const llm = new FakeLlm({ chunkDelayMs: 2 });
  const [arxivUrl, llmUrl] = await Promise.all([arxiv.start(), llm.start()]);
  const args = process.argv.slice(2);
  const fetchArgs = args.length > 0 ? args : ['2503.05378'];
  process.stderr.write(
    `demo: fake arXiv at ${arxivUrl}, fake LLM at ${llmUrl} (its writing is canned, not a real model)\n`,
  );
  process.stderr.write(`demo: digest fetch ${fetchArgs.join(' ')}\n`);
  process.stderr.write(
    'demo: the fake arXiv has metadata but no HTML or PDF for this paper, so the Q&A falls back to the abstract (and says so)\n\n',
  );
  const child = spawn(process.execPath, [BIN, 'fetch', ...fetchArgs], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...arxiv.urls(),
      OPENAI_BASE_URL: llmUrl,
      OPENAI_API_KEY: 'demo-key-not-secret',
      DIGEST_PROVIDER: 'openai',
      DIGEST_MODEL: 'fake-model',
      DIGEST_ARXIV_DELAY_MS: '0',
      NO_PROXY: '127.0.0.1,localhost',
    },
  });
  const code = await new Promise<number>((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 130 : 1))));
  await Promise.all([arxiv.stop(), llm.stop()]);
  process.exitCode = code;
}

void main();
