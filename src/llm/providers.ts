/** Provider presets: base URL, default model, key variable and the request quirks each one needs. */

export interface ProviderPreset {
  name: string;
  label: string;
  baseURL: string;
  model: string;
  /** Environment variable holding the API key. */
  keyEnv: string;
  /** Key sent when none is set (local servers that ignore it). */
  placeholderKey?: string;
  /** Which field carries the output limit. */
  tokenParam: 'max_tokens' | 'max_completion_tokens';
  /** false: send no temperature/top_p (the provider rejects anything but its default). */
  sampling: boolean;
  /** Vendor fields merged into every request body. */
  extraBody: Record<string, unknown>;
  /** The model its OpenAI-compatible /embeddings endpoint serves (none: the provider has no such endpoint). */
  embeddingModel?: string;
  /** Its OpenAI-style Batch API (/files + /batches): the `endpoint` value a batch names; none: no Batch API. */
  batch?: { endpoint: string };
}

export const PROVIDERS: Record<string, ProviderPreset> = {
  openai: {
    name: 'openai',
    batch: { endpoint: '/v1/chat/completions' },
    embeddingModel: 'text-embedding-3-small',
    label: 'OpenAI',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4.1-mini',
    keyEnv: 'OPENAI_API_KEY',
    tokenParam: 'max_completion_tokens',
    sampling: true,
    extraBody: {},
  },
  deepseek: {
    name: 'deepseek',
    label: 'DeepSeek',
    baseURL: 'https://api.deepseek.com',
    model: 'deepseek-v4-flash',
    keyEnv: 'DEEPSEEK_API_KEY',
    tokenParam: 'max_tokens',
    sampling: true,
    // thinking costs time and money and adds nothing to a summary
    extraBody: { thinking: { type: 'disabled' } },
  },
  moonshot: {
    name: 'moonshot',
    batch: { endpoint: '/v1/chat/completions' },
    label: 'Moonshot Kimi',
    baseURL: 'https://api.moonshot.cn/v1',
    model: 'kimi-k2.6',
    keyEnv: 'MOONSHOT_API_KEY',
    tokenParam: 'max_tokens',
    // Kimi answers 400 to any temperature but 1 and fixes top_p/n/penalties
    sampling: false,
    extraBody: {},
  },
  qwen: {
    name: 'qwen',
    batch: { endpoint: '/v1/chat/completions' },
    embeddingModel: 'text-embedding-v4',
    label: 'Alibaba DashScope (Qwen)',
    baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    model: 'qwen-plus',
    keyEnv: 'DASHSCOPE_API_KEY',
    tokenParam: 'max_tokens',
    sampling: true,
    // Qwen 3.5+ think by default, which costs 4× per output token
    extraBody: { enable_thinking: false },
  },
  zhipu: {
    name: 'zhipu',
    batch: { endpoint: '/v4/chat/completions' },
    embeddingModel: 'embedding-3',
    label: 'Zhipu GLM (BigModel)',
    baseURL: 'https://open.bigmodel.cn/api/paas/v4',
    model: 'glm-4.7',
    keyEnv: 'ZHIPUAI_API_KEY',
    tokenParam: 'max_tokens',
    sampling: true,
    extraBody: { thinking: { type: 'disabled' } },
  },
  siliconflow: {
    name: 'siliconflow',
    batch: { endpoint: '/v1/chat/completions' },
    embeddingModel: 'BAAI/bge-m3',
    label: 'SiliconFlow',
    baseURL: 'https://api.siliconflow.cn/v1',
    model: 'deepseek-ai/DeepSeek-V4-Flash',
    keyEnv: 'SILICONFLOW_API_KEY',
    tokenParam: 'max_tokens',
    sampling: true,
    extraBody: { enable_thinking: false },
  },
  openrouter: {
    name: 'openrouter',
    label: 'OpenRouter',
    baseURL: 'https://openrouter.ai/api/v1',
    model: 'deepseek/deepseek-v4-flash',
    keyEnv: 'OPENROUTER_API_KEY',
    tokenParam: 'max_tokens',
    sampling: true,
    extraBody: {},
  },
  ollama: {
    name: 'ollama',
    embeddingModel: 'nomic-embed-text',
    label: 'Ollama (local)',
    baseURL: 'http://localhost:11434/v1',
    model: 'qwen3:8b',
    keyEnv: 'OLLAMA_API_KEY',
    placeholderKey: 'ollama',
    // Ollama reads only max_tokens and silently ignores max_completion_tokens
    tokenParam: 'max_tokens',
    sampling: true,
    extraBody: { reasoning_effort: 'none' },
  },
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS);

/** Model-specific rules on top of the preset (OpenAI reasoning models, wherever they are served). */
export function requestShape(
  preset: ProviderPreset,
  model: string,
  baseURL: string,
): Pick<ProviderPreset, 'tokenParam' | 'sampling'> {
  if (/(^|\/)(o[1-9]|gpt-5)/.test(model)) return { tokenParam: 'max_completion_tokens', sampling: false };
  if (/(^|\/)kimi-/.test(model)) return { tokenParam: preset.tokenParam, sampling: false };
  // Any other server behind the openai preset (vLLM, LM Studio, a gateway): max_tokens is what they all read.
  if (preset.name === 'openai' && !/^https:\/\/api\.openai\.com\//.test(baseURL))
    return { tokenParam: 'max_tokens', sampling: true };
  return { tokenParam: preset.tokenParam, sampling: preset.sampling };
}
