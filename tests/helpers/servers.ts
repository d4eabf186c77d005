/** Start the fake arXiv and fake LLM for a test file, and the env that points the CLI at them. */
import { FakeArxiv, type FakeArxivOptions } from '../../src/testing/fake-arxiv.js';
import { FakeLlm, type FakeLlmOptions } from '../../src/testing/fake-llm.js';
import { cleanEnv } from './cli.js';

export const TEST_KEY = 'sk-test-SECRET-0123456789abcdef';

export async function startServers(o: { arxiv?: FakeArxivOptions; llm?: FakeLlmOptions } = {}) {
  const arxiv = new FakeArxiv(o.arxiv);
  const llm = new FakeLlm(o.llm);
  await Promise.all([arxiv.start(), llm.start()]);
  const env = (extra: Record<string, string> = {}) =>
    cleanEnv({
      ...arxiv.urls(),
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: TEST_KEY,
      DIGEST_MODEL: 'fake-model',
      DIGEST_ARXIV_DELAY_MS: '0',
      DIGEST_ARXIV_RETRY_BASE_MS: '10',
      DIGEST_LLM_RETRY_BASE_MS: '10',
      ...extra,
    });
  return { arxiv, llm, env, stop: () => Promise.all([arxiv.stop(), llm.stop()]) };
}
