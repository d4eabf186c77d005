/** Start the fake arXiv and fake LLM for a test file, and the env that points the CLI at them. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { FakeArxiv, type FakeArxivOptions } from '../fakes/fake-arxiv.js';
import { FakeLlm, type FakeLlmOptions } from '../fakes/fake-llm.js';
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

export type Servers = Awaited<ReturnType<typeof startServers>>;

/** Start the fakes for a test file (beforeAll), stop them after, and reset them before each test. */
export function useServers(o: Parameters<typeof startServers>[0] = {}): Servers {
  let current: Servers | undefined;
  beforeAll(async () => {
    current = await startServers(o);
  });
  afterAll(() => current?.stop());
  beforeEach(() => {
    current!.arxiv.reset();
    current!.llm.reset();
  });
  const get = () => {
    if (!current) throw new Error('servers not started yet');
    return current;
  };
  return {
    get arxiv() {
      return get().arxiv;
    },
    get llm() {
      return get().llm;
    },
    env: (extra?: Record<string, string>) => get().env(extra),
    stop: () => get().stop(),
  };
}
