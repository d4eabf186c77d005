/** `digest init hugo|hexo|jekyll [DIR]`: set a blog up for the daily digest in one command. */
import { own } from '../own.js';
import { existsSync } from 'node:fs';
import { makeDirs } from '../make-dirs.js';
import path from 'node:path';
import { usageError } from '../errors.js';
import { PROVIDER_NAMES, PROVIDERS } from '../llm/providers.js';
import { writeAtomic } from '../output/write-file.js';
import { configFile, engineNotes, workflowFile, type Engine } from '../render/blog-setup.js';
import { CONFIG_FILE_NAME } from '../settings/config-file.js';
import { CATEGORY } from '../settings/resolve.js';
import type { Logger } from '../ui/logger.js';

export interface InitFlags {
  force?: boolean;
  provider?: string;
  categories?: string;
  toolRepo?: string;
}

const ENGINES = ['hugo', 'hexo', 'jekyll'];

export async function runInit(
  engineArg: string,
  dir: string | undefined,
  flags: InitFlags,
  out: (s: string) => void,
  logger: Logger,
): Promise<number> {
  const engine = engineArg.trim().toLowerCase();
  if (!ENGINES.includes(engine))
    throw usageError(`engine ${JSON.stringify(engineArg)}: expected one of ${ENGINES.join(', ')}`);
  const provider = own(PROVIDERS, (flags.provider ?? 'openai').trim().toLowerCase());
  if (!provider)
    throw usageError(`--provider ${flags.provider}: unknown provider (accepted: ${PROVIDER_NAMES.join(', ')})`);
  const categories = (flags.categories ?? 'cs.CL')
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of categories) {
    if (!CATEGORY.test(c))
      throw usageError(`--categories: ${JSON.stringify(c)} is not an arXiv category (e.g. cs.CL, math.AP)`);
  }
  const toolRepo = flags.toolRepo ?? 'your-name/arxiv-digest';
  if (!/^[\w.-]+\/[\w.-]+$/.test(toolRepo))
    throw usageError(`--tool-repo ${toolRepo}: expected owner/name of a GitHub repository`);

  const root = path.resolve(dir ?? '.');
  const setup = { engine: engine as Engine, provider, categories, toolRepo };
  const files: Array<[string, string]> = [
    [path.join(root, CONFIG_FILE_NAME), configFile(setup)],
    [path.join(root, '.github/workflows/arxiv-digest.yml'), workflowFile(setup)],
  ];
  for (const [file, content] of files) {
    if (existsSync(file) && !flags.force) {
      logger.warn(`${file} exists: left as it is (use --force to replace it)`);
      continue;
    }
    await makeDirs(path.dirname(file));
    await writeAtomic(file, content, true);
    out(`${file}\n`);
  }
  logger.info(`\n${engineNotes(setup.engine)}\n`);
  logger.info(
    `next: set the repository secret ${provider.keyEnv}${toolRepo === 'your-name/arxiv-digest' ? ', put your copy of arxiv-digest in the workflow (--tool-repo owner/name)' : ''}, commit, and run the workflow once by hand`,
  );
  return 0;
}
