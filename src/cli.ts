/** Wiring only: flags → options → run*(). The one place that exits the process. */
import { writeSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { DigestError } from './errors.js';
import { createLogger, type Logger } from './ui/logger.js';
import { redact } from './ui/redact.js';
import { version } from './version.js';

const EPILOG = `
Environment: OPENAI_API_KEY, OPENAI_BASE_URL, DIGEST_PROVIDER, DIGEST_MODEL, DIGEST_ARXIV_API_URL,
DIGEST_ARXIV_RSS_URL, DIGEST_CONCURRENCY, DIGEST_KINDS, DIGEST_PROMPTS_DIR, DIGEST_CACHE_DIR,
HTTPS_PROXY / NO_PROXY and more: see README. Precedence: flags > env > digest.config.json > defaults.
Exit codes: 0 ok, 1 a paper or request failed, 2 bad usage or input, 130 interrupted.`;

function main(argv: string[]): void {
  const controller = new AbortController();
  const state: RunState = { logger: createLogger({ verbose: false, quiet: false }), signal: controller.signal };
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) process.exit(sig === 'SIGINT' ? 130 : 143);
    interrupted = true;
    state.logger.warn(`${sig}: stopping; unfinished papers are not written`);
    controller.abort(new DigestError('interrupted', 'interrupted', { exitCode: sig === 'SIGINT' ? 130 : 143 }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const program = new Command('digest')
    .description('Turn arXiv papers into publishable Chinese Markdown posts and papers.cool-style Q&A')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run digest --help for usage)')
    .addHelpText('after', EPILOG)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: writeOutSmall });
  defineCommands(program, state);

  // --strict=fail: a value only after "=", so that "--strict 2404.16418" keeps the id an id
  const args = argv.map((a) => (a.startsWith('--strict=') ? `--strict-mode=${a.slice(9)}` : a));
  program.parseAsync(args).catch((err: unknown) => {
    if (err instanceof CommanderError) {
      // commander already printed its message; help and version are not errors
      process.exitCode =
        err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
      return;
    }
    process.exitCode = report(err, state.logger, state.signal);
  });
}

/** The logger (set once a command knows -v / -q) and the run's abort signal. */
interface RunState {
  logger: Logger;
  signal: AbortSignal;
}

/** The options fetch and daily share. */
/** How the Chinese is written and checked: fetch, daily, refresh and config share these. */
function withWritingOptions(cmd: Command): Command {
  return cmd
    .option('--lang <variant>', 'Chinese variant written: zh-CN, zh-TW or zh-HK (env DIGEST_LANG; default zh-CN)')
    .option('--glossary <file>', 'your glossary (YAML), over the built-in prompts/glossary.yaml (env DIGEST_GLOSSARY)')
    .option(
      '--strict',
      'figures and names the paper does not state: ask once to fix, then mark them （待核实）; --strict=fail: do not write the post',
    )
    .addOption(new Option('--strict-mode <mode>').hideHelp())
    .option('--cite', 'with full text: show where each figure came from, e.g. （§4.2，表3）');
}

function withCommonOptions(cmd: Command): Command {
  return withWritingOptions(cmd)
    .option(
      '--provider <name>',
      'provider preset: openai, deepseek, moonshot, qwen, zhipu, siliconflow, openrouter, ollama (env DIGEST_PROVIDER)',
    )
    .option('--model <name>', "model name (env DIGEST_MODEL; default: the preset's)")
    .option('--base-url <url>', 'OpenAI-compatible endpoint (env OPENAI_BASE_URL for the openai preset)')
    .option('--arxiv-api-url <url>', 'arXiv export API (env DIGEST_ARXIV_API_URL)')
    .option('--kind <list>', 'templates to run, comma separated (env DIGEST_KINDS; default post,qa)')
    .option('--prompts <dir>', 'folder of templates that override or add to the built-in ones (env DIGEST_PROMPTS_DIR)')
    .option('--concurrency <n>', 'LLM calls in flight at once, 1-64 (env DIGEST_CONCURRENCY; default 4)')
    .option('--no-stream', 'ask for whole answers instead of streamed ones (env DIGEST_LLM_STREAM=0)')
    .option('--no-cache', 'neither read nor write the on-disk cache (env DIGEST_CACHE_DIR sets its folder)')
    .option(
      '--source <which>',
      'paper text for every template: full or abstract (env DIGEST_SOURCE; default: full for qa, abstract for post)',
    )
    .option('--download-figures', "with -o: save the key figure next to the post instead of linking arXiv's image")
    .option(
      '--arxiv-html-url <url>',
      'arXiv HTML renderings (env DIGEST_ARXIV_HTML_URL; default https://arxiv.org/html)',
    )
    .option('--ar5iv-url <url>', 'ar5iv renderings (env DIGEST_AR5IV_URL; default https://ar5iv.labs.arxiv.org/html)')
    .option('--arxiv-pdf-url <url>', 'arXiv PDFs (env DIGEST_ARXIV_PDF_URL; default https://arxiv.org/pdf)')
    .option(
      '--site <engine>',
      'with -o: files for a blog engine: plain, hugo, hexo or jekyll (env DIGEST_SITE; default plain)',
    )
    .option('--slug <style>', 'post file names for a blog engine: id or words (env DIGEST_SLUG; default id)')
    .option(
      '--batch',
      "send the requests through the provider's Batch API: about half the price, answers within hours (env DIGEST_BATCH)",
    )
    .option(
      '--batch-followups <mode>',
      '--batch: follow-ups in a second batch (batch, default) or as normal calls (direct)',
    )
    .option('--config <path>', 'config file (default: ./digest.config.json, else the user config folder)')
    .option('-v, --verbose', 'say more on stderr (endpoints, request counts, retries)')
    .option('-q, --quiet', 'only errors on stderr');
}

/** The four commands: each action loads its module only when it runs, so --help stays fast. */
function defineCommands(program: Command, state: RunState): void {
  const run = async (fn: () => Promise<number>) => {
    try {
      process.exitCode = await fn();
    } catch (err) {
      process.exitCode = report(err, state.logger, state.signal);
    }
    // stopped by a signal: what finished is written and cached; do not wait for sockets kept alive or
    // responses still on their way (stdout and stderr are synchronous on Linux, nothing is lost)
    if (state.signal.aborted) process.exit();
  };
  const setLogger = (opts: Record<string, unknown>) => {
    state.logger = createLogger({ verbose: opts['verbose'] === true, quiet: opts['quiet'] === true });
    return state.logger;
  };

  withCommonOptions(
    program
      .command('fetch')
      .description('write a Chinese post (and Q&A) for each paper; ids as arguments or - for stdin')
      .argument(
        '<id-or-url...>',
        'arXiv ids or URLs (abs, pdf, html, papers.cool, alphaxiv), or - to read one per line from stdin',
      )
      .option('-o, --output <dir>', 'write one file per paper into this folder instead of stdout')
      .option('--force', 'overwrite existing files in the output folder')
      .option('--json', 'emit JSON lines (or .json files with -o) instead of Markdown')
      .option('--dry-run', 'print the rendered prompts; make no LLM call')
      .option(
        '--refresh',
        'look plain ids up on arXiv again, even when a run in the last hours found their version (env DIGEST_VERSION_TTL_MINUTES)',
      ),
  ).action(async (ids: string[], opts: Record<string, unknown>) => {
    const logger = setLogger(opts);
    const { runFetch } = await import('./commands/fetch.js');
    await run(() => runFetch(ids, opts, io(logger, state.signal)));
  });

  withCommonOptions(
    program
      .command('daily')
      .description("write the day's papers of some categories: a digest page, and one post per paper with -o")
      .argument('[categories...]', "arXiv categories such as cs.CL cs.LG (default: the config file's list, else cs.CL)")
      .option(
        '--date <YYYY-MM-DD>',
        'that announcement (US Eastern date of the 20:00 announcement) instead of the latest',
      )
      .option('--limit <n>', 'at most n papers, after filtering, in arXiv order')
      .option('--top <n>', 'write up the first n papers; list the others with a Chinese title and summary')
      .option(
        '--interests <file>',
        'a JSON file of interests (description, keywords, exclude, authors, papers) to rank the day by',
      )
      .option(
        '--rank <method>',
        'how the day is ranked against the interests: lexical (default, free), embedding, llm or none (env DIGEST_RANK)',
      )
      .option('--match <regex>', 'keep papers whose title or abstract matches (case-insensitive)')
      .option('--exclude <regex>', 'drop papers whose title or abstract matches (case-insensitive)')
      .option('--authors <names>', 'keep papers with an author whose name contains one of these (comma separated)')
      .option('--include-cross', 'also cross-listed papers')
      .option('--include-replaced', 'also replaced (new version) papers, from the feed')
      .option(
        '--arxiv-rss-url <url>',
        'arXiv listing feeds (env DIGEST_ARXIV_RSS_URL; default https://rss.arxiv.org/rss)',
      )
      .option(
        '-o, --output <dir>',
        'write the posts and the digest page into this folder (else the page alone on stdout)',
      )
      .option('--force', 'rewrite posts that already exist in the folder')
      .option('--dry-run', 'list the papers and estimate tokens and cost; no LLM call')
      .option('--max-cost <usd>', 'do not start papers once the estimated spend would pass this many US dollars'),
  ).action(async (cats: string[], opts: Record<string, unknown>) => {
    const logger = setLogger(opts);
    const { runDaily } = await import('./commands/daily.js');
    await run(() => runDaily(cats, opts, io(logger, state.signal)));
  });

  withWritingOptions(program.command('config'))
    .description('print the effective configuration and where each value comes from (secrets hidden)')
    .option('--config <path>', 'config file (default: ./digest.config.json, else the user config folder)')
    .option('--provider <name>', 'provider preset')
    .option('--model <name>', 'model name')
    .option('--source <which>', 'full or abstract')
    .action(async (opts: Record<string, string>) => {
      const { runConfig } = await import('./commands/config.js');
      await run(() => runConfig(opts, process.env, (s) => stdout().write(redact(s))));
    });

  withCommonOptions(
    program
      .command('refresh')
      .description('rewrite the posts whose paper has a newer version on arXiv (hand-edited posts are kept)')
      .argument('[dir]', 'the posts folder (default: "output" of digest.config.json)')
      .option('--force', 'rewrite posts edited by hand too')
      .option('--dry-run', 'list the posts that are behind; make no LLM call'),
  ).action(async (dir: string | undefined, opts: Record<string, unknown>) => {
    const logger = setLogger(opts);
    const { runRefresh } = await import('./commands/refresh.js');
    await run(() => runRefresh(dir, opts, io(logger, state.signal)));
  });

  program
    .command('batch')
    .description('the batches --batch submitted: list them (pending ones, --all for every one) or cancel one')
    .argument('<action>', 'list or cancel')
    .argument('[id]', 'the batch to cancel')
    .option('--all', 'list finished batches too')
    .option('--provider <name>', 'provider preset (env DIGEST_PROVIDER)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint')
    .option('--config <path>', 'config file (default: ./digest.config.json, else the user config folder)')
    .option('-q, --quiet', 'only errors on stderr')
    .action(async (action: string, id: string | undefined, opts: Record<string, unknown>) => {
      const logger = setLogger(opts);
      const { runBatch } = await import('./commands/batch.js');
      await run(() => runBatch(action, id, opts, io(logger, state.signal)));
    });

  program
    .command('check')
    .description('run every check of the writing on posts as they are on disk (after hand edits); exit 1 on a problem')
    .argument('<file-or-dir...>', 'post files, or folders of posts')
    .option('--json', 'one JSON report instead of text')
    .option(
      '--site <engine>',
      'the blog engine whose front matter to expect: plain, hugo, hexo or jekyll (env DIGEST_SITE)',
    )
    .option('--prompts <dir>', 'the templates the posts were written with (their headings and questions)')
    .option('--glossary <file>', 'your glossary (YAML), over the built-in one (env DIGEST_GLOSSARY)')
    .option('--kind <list>', 'the templates the posts have (default post,qa)')
    .option('--config <path>', 'config file (default: ./digest.config.json, else the user config folder)')
    .option('-q, --quiet', 'only errors on stderr')
    .action(async (targets: string[], opts: Record<string, unknown>) => {
      const logger = setLogger(opts);
      const { runCheck } = await import('./commands/check.js');
      await run(() => runCheck(targets, opts, io(logger, state.signal)));
    });

  program
    .command('init')
    .description(
      'set a Hugo, Hexo or Jekyll blog up for the daily digest: digest.config.json and a GitHub Actions workflow',
    )
    .argument('<engine>', 'hugo, hexo or jekyll')
    .argument('[dir]', "the blog's folder (default: the current one)")
    .option('--provider <name>', 'provider preset the workflow uses (default openai)')
    .option('--categories <list>', 'arXiv categories, comma separated (default cs.CL)')
    .option('--tool-repo <owner/name>', 'the arxiv-digest repository the workflow checks out')
    .option('--force', 'replace files that exist')
    .option('-q, --quiet', 'only errors on stderr')
    .action(async (engine: string, dir: string | undefined, opts: Record<string, unknown>) => {
      const logger = setLogger(opts);
      const { runInit } = await import('./commands/init.js');
      await run(() => runInit(engine, dir, opts, (s) => stdout().write(redact(s)), logger));
    });

  program
    .command('prompts')
    .description('list the prompt templates in effect, or show one')
    .argument('[name]', 'template to show')
    .option('--prompts <dir>', 'folder of templates that override or add to the built-in ones (env DIGEST_PROMPTS_DIR)')
    .option('--config <path>', 'config file (default: ./digest.config.json, else the user config folder)')
    .action(async (name: string | undefined, opts: { prompts?: string; config?: string }) => {
      const { runPrompts } = await import('./commands/prompts.js');
      await run(() => runPrompts(name, opts, process.env, (s) => stdout().write(redact(s))));
    });
}

/**
 * Help and version text: a few kB written straight to fd 1, without building process.stdout (its stream
 * and the modules behind it are a tenth of the start-up); a pipe that cannot take it now gets the stream.
 */
function writeOutSmall(s: string): void {
  const bytes = Buffer.from(s);
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch {
    stdout().write(bytes.subarray(done));
  }
}

/** process.stdout, with a reader that went away (`digest … | head`) ending the run quietly. */
function stdout(): NodeJS.WriteStream {
  if (!stdoutReady) {
    stdoutReady = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
    });
  }
  return process.stdout;
}
let stdoutReady = false;

function io(logger: Logger, signal: AbortSignal) {
  return {
    env: process.env,
    stdout: (s: string) => void stdout().write(redact(s)),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdin: async () => (await import('./pipeline/read-ids.js')).readStdinLines(process.stdin),
    signal,
    logger,
  };
}

function report(err: unknown, logger: Logger, signal: AbortSignal): number {
  if (signal.aborted) {
    const reason = signal.reason;
    return reason instanceof DigestError ? reason.exitCode : 130;
  }
  if (err instanceof DigestError) {
    for (const line of err.message.split('\n')) logger.error(line);
    if (err.hint) logger.info(`hint: ${err.hint}`);
    return err.exitCode;
  }
  // not ours: a bug. Say so, with enough to report it.
  const e = err instanceof Error ? err : new Error(String(err));
  logger.error(`unexpected failure: ${e.message}`);
  if (process.env['DIGEST_DEBUG']) logger.error(e.stack ?? '');
  else
    logger.info(
      `this is a bug in arxiv-digest ${version()} (Node ${process.version}); rerun with DIGEST_DEBUG=1 for details and report it`,
    );
  return 1;
}

main(process.argv);
