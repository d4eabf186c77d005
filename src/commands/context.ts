/** What every command needs: settings (flags > env > config file > defaults), the cache, the clock. */
import envPaths from 'env-paths';
import { createCache, NO_CACHE, type Cache } from '../cache/cache.js';
import { loadConfigFile } from '../config-file.js';
import { resolveSettings, type CommonFlags, type Env, type Settings } from '../config.js';
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import { getPaperText } from '../fulltext/get-text.js';
import type { PaperText } from '../fulltext/types.js';
import { PROVIDERS } from '../llm/providers.js';
import type { Logger } from '../ui/logger.js';
import { registerSecret } from '../ui/redact.js';
import type { WriteDeps } from './write-paper.js';

export function appPaths(): { cache: string; config: string } {
  // XDG_CACHE_HOME / XDG_CONFIG_HOME on Linux, the platform's folders elsewhere
  const p = envPaths('arxiv-digest', { suffix: '' });
  return { cache: p.cache, config: p.config };
}

export async function loadSettings(flags: CommonFlags, env: Env, cwd = process.cwd()): Promise<Settings> {
  // every provider key in the environment is masked in all we print or write, whichever provider runs
  for (const p of Object.values(PROVIDERS)) registerSecret(env[p.keyEnv]?.trim());
  const paths = appPaths();
  const loaded = await loadConfigFile(flags.config, cwd, paths.config);
  return resolveSettings(flags, {
    env,
    file: loaded.values,
    ...(loaded.file ? { configFile: loaded.file } : {}),
    defaultCacheDir: paths.cache,
  });
}

export function openCache(settings: Settings, logger: Logger): Cache {
  return settings.cacheDir ? createCache(settings.cacheDir, (m) => logger.warn(m)) : NO_CACHE;
}

/** How templates get their text: the source each one uses, and the full text fetched once per paper. */
export type TextDeps = Pick<WriteDeps, 'sourceFor' | 'getText' | 'contextTokens' | 'verbose'>;

export function textDeps(settings: Settings, arxiv: ArxivClient, cache: Cache, logger: Logger): TextDeps {
  const ft = settings.fulltext;
  const inflight = new Map<string, Promise<PaperText>>();
  return {
    sourceFor: (tpl) =>
      ft.override ?? (typeof ft.configured === 'string' ? ft.configured : ft.configured?.[tpl.name]) ?? tpl.source ?? (tpl.kind === 'qa' ? 'full' : 'abstract'),
    getText: (paper) => {
      const key = `${paper.id}v${paper.version}`;
      let p = inflight.get(key);
      if (!p) {
        p = getPaperText(paper, { ...ft, arxiv, cache, warn: (m) => logger.warn(m), verbose: (m) => logger.verbose(m) });
        inflight.set(key, p);
      }
      return p;
    },
    contextTokens: ft.contextTokens,
    verbose: (m) => logger.verbose(m),
  };
}
