/** What every command needs: settings (flags > env > config file > defaults), the cache, the clock. */
import envPaths from 'env-paths';
import { createCache, NO_CACHE, type Cache } from '../cache/cache.js';
import { loadConfigFile } from '../config-file.js';
import { resolveSettings, type CommonFlags, type Env, type Settings } from '../config.js';
import type { Logger } from '../ui/logger.js';

export function appPaths(): { cache: string; config: string } {
  // XDG_CACHE_HOME / XDG_CONFIG_HOME on Linux, the platform's folders elsewhere
  const p = envPaths('arxiv-digest', { suffix: '' });
  return { cache: p.cache, config: p.config };
}

export async function loadSettings(flags: CommonFlags, env: Env, cwd = process.cwd()): Promise<Settings> {
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
