/** `digest config`: the effective settings and where each came from; secrets are never shown. */
import { loadDailyOptions } from '../settings/load.js';
import type { CommonFlags, Env } from '../settings/resolve.js';

export async function runConfig(flags: CommonFlags, env: Env, out: (s: string) => void): Promise<number> {
  // the settings of a `digest daily` run, the widest command: the same resolver every command uses
  const s = await loadDailyOptions(flags, [], env);
  const src = (k: string, envName?: string) => {
    const from = s.sources[k] ?? 'default';
    if (from === 'env' && envName) return `env ${envName}`;
    if (from === 'config') return `config ${s.configFile}`;
    return from;
  };
  const rows: Array<[string, string, string]> = [
    ['provider', s.llm.preset.name, src('provider', 'DIGEST_PROVIDER')],
    ['model', s.llm.model, src('model', 'DIGEST_MODEL')],
    ['base_url', s.llm.baseURL, src('base_url', 'OPENAI_BASE_URL')],
    [
      'api_key',
      s.llm.apiKey ? (s.sources['api_key'] === 'env' ? 'set (hidden)' : 'placeholder') : 'NOT SET',
      s.sources['api_key'] === 'env' ? `env ${s.llm.preset.keyEnv}` : `needs ${s.llm.preset.keyEnv}`,
    ],
    ['stream', String(s.llm.stream), src('stream', 'DIGEST_LLM_STREAM')],
    ['concurrency', String(s.concurrency), src('concurrency', 'DIGEST_CONCURRENCY')],
    ['kinds', s.templateNames.join(','), src('kinds', 'DIGEST_KINDS')],
    ['prompts', s.templateDir ?? '(built-in only)', src('prompts', 'DIGEST_PROMPTS_DIR')],
    ['cache_dir', s.cacheDir ?? '(off)', src('cache_dir', 'DIGEST_CACHE_DIR')],
    ['arxiv_api_url', s.arxiv.apiUrl, src('arxiv_api_url', 'DIGEST_ARXIV_API_URL')],
    ['arxiv_rss_url', s.arxiv.rssUrl, src('arxiv_rss_url', 'DIGEST_ARXIV_RSS_URL')],
    ['arxiv_delay_ms', String(s.arxiv.delayMs), src('arxiv_delay_ms', 'DIGEST_ARXIV_DELAY_MS')],
    [
      'version_ttl_minutes',
      String(s.arxiv.versionTtlMs / 60_000),
      src('version_ttl_minutes', 'DIGEST_VERSION_TTL_MINUTES'),
    ],
    ['arxiv_html_url', s.fulltext.htmlUrl, src('arxiv_html_url', 'DIGEST_ARXIV_HTML_URL')],
    ['ar5iv_url', s.fulltext.ar5ivUrl, src('ar5iv_url', 'DIGEST_AR5IV_URL')],
    ['arxiv_pdf_url', s.fulltext.pdfUrl, src('arxiv_pdf_url', 'DIGEST_ARXIV_PDF_URL')],
    [
      'source',
      s.fulltext.override ??
        (s.fulltext.configured ? JSON.stringify(s.fulltext.configured) : 'per template (qa: full, post: abstract)'),
      s.fulltext.override
        ? src('source', 'DIGEST_SOURCE')
        : s.fulltext.configured
          ? `config ${s.configFile}`
          : 'default',
    ],
    ['context_tokens', String(s.fulltext.contextTokens), src('context_tokens', 'DIGEST_CONTEXT_TOKENS')],
    ['arxiv_batch_size', String(s.arxiv.batchSize), src('arxiv_batch_size', 'DIGEST_ARXIV_BATCH_SIZE')],
    ['llm_idle_timeout_ms', String(s.llm.idleTimeoutMs), src('llm_idle_timeout_ms', 'DIGEST_LLM_IDLE_TIMEOUT_MS')],
    ['llm_retries', String(s.llm.retries), src('llm_retries', 'DIGEST_LLM_RETRIES')],
    ['categories', s.categories.join(' '), src('categories')],
    ['output', s.output ?? '(stdout)', src('output')],
    ['max_cost', s.maxCost !== undefined ? `$${s.maxCost}` : '(none)', src('max_cost')],
    ['download_figures', String(s.downloadFigures), src('download_figures')],
    ['site', s.site, src('site', 'DIGEST_SITE')],
    ['top', s.top === undefined ? '(all, or 10 with interests)' : String(s.top), src('top')],
    ['rank', s.rank, src('rank', 'DIGEST_RANK')],
    [
      'embedding_model',
      s.embeddingModel ?? '(none for this provider)',
      src('embedding_model', 'DIGEST_EMBEDDING_MODEL'),
    ],
    ['interests', s.interests ? Object.keys(s.interests.config).join(', ') || '(empty)' : '(none)', src('interests')],
    ['slug', s.slugStyle, src('slug', 'DIGEST_SLUG')],
    ['lang', s.writing.lang, src('lang', 'DIGEST_LANG')],
    ['glossary', s.writing.glossary ?? '(built-in only)', src('glossary', 'DIGEST_GLOSSARY')],
    ['strict', s.writing.strict, src('strict', 'DIGEST_STRICT')],
    ['cite', String(s.writing.cite), src('cite', 'DIGEST_CITE')],
    ['batch', s.batch.on ? `on (follow-ups: ${s.batch.followUps})` : 'off', src('batch', 'DIGEST_BATCH')],
  ];
  const f = s.file;
  for (const k of ['match', 'exclude', 'authors', 'includeCross', 'includeReplaced', 'limit'] as const) {
    if (f[k] !== undefined)
      rows.push([k, Array.isArray(f[k]) ? (f[k] as string[]).join(',') : String(f[k]), `config ${s.configFile}`]);
  }
  if (Object.keys(s.prices).length) rows.push(['prices', Object.keys(s.prices).join(', '), `config ${s.configFile}`]);
  out(`config file: ${s.configFile ?? '(none found: ./digest.config.json or the user config folder)'}\n`);
  const w = Math.max(...rows.map((r) => r[0].length));
  const v = Math.min(60, Math.max(...rows.map((r) => r[1].length)));
  for (const [k, val, from] of rows) out(`${k.padEnd(w)}  ${val.padEnd(v)}  (${from})\n`);
  return 0;
}
