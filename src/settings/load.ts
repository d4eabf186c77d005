/** Where settings come from on this machine: the environment, the config file, the platform's folders. */
import envPaths from 'env-paths';
import { PROVIDERS } from '../llm/providers.js';
import { registerSecret } from '../ui/redact.js';
import { loadConfigFile } from './config-file.js';
import {
  resolveDailyOptions,
  resolveFetchOptions,
  resolveSettings,
  type CommonFlags,
  type DailyFlags,
  type DailyOptions,
  type Env,
  type FetchFlags,
  type FetchOptions,
  type ResolveContext,
  type Settings,
} from './resolve.js';

export function appPaths(): { cache: string; config: string } {
  // XDG_CACHE_HOME / XDG_CONFIG_HOME on Linux, the platform's folders elsewhere
  const p = envPaths('arxiv-digest', { suffix: '' });
  return { cache: p.cache, config: p.config };
}

/** The sources every command resolves its settings from; every provider key found is masked from then on. */
export async function readSources(flags: { config?: string }, env: Env, cwd = process.cwd()): Promise<ResolveContext> {
  // every provider key in the environment is masked in all we print or write, whichever provider runs
  for (const p of Object.values(PROVIDERS)) registerSecret(env[p.keyEnv]?.trim());
  const paths = appPaths();
  const loaded = await loadConfigFile(flags.config, cwd, paths.config);
  return {
    env,
    file: loaded.values,
    ...(loaded.file ? { configFile: loaded.file } : {}),
    defaultCacheDir: paths.cache,
  };
}

export const loadSettings = async (flags: CommonFlags, env: Env): Promise<Settings> =>
  resolveSettings(flags, await readSources(flags, env));
export const loadFetchOptions = async (flags: FetchFlags, env: Env): Promise<FetchOptions> =>
  resolveFetchOptions(flags, await readSources(flags, env));
export const loadDailyOptions = async (flags: DailyFlags, args: string[], env: Env): Promise<DailyOptions> =>
  resolveDailyOptions(flags, args, await readSources(flags, env));
