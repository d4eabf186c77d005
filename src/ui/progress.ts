/** One ora spinner on stderr that shows each paper's stage; only on a TTY, never with --quiet. */
import type { Logger } from './logger.js';

export interface Progress {
  stage(key: string, text: string): void;
  done(key: string, ok: boolean, text: string): void;
  stop(): void;
}

const NOOP: Progress = { stage() {}, done() {}, stop() {} };

export async function createProgress(opts: {
  enabled: boolean;
  total: number;
  logger: Logger;
  stats?: () => string;
}): Promise<Progress> {
  if (!opts.enabled) return NOOP;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: process.stderr, discardStdin: false, hideCursor: false });
  const stages = new Map<string, string>();
  let finished = 0;
  const render = () => {
    const active = [...stages.entries()].map(([k, s]) => `${k} ${s}`);
    const stats = opts.stats ? ` · ${opts.stats()}` : '';
    spinner.text = `[${finished}/${opts.total}${stats}] ${active.slice(0, 3).join(' · ')}${active.length > 3 ? ` · +${active.length - 3}` : ''}`;
  };
  opts.logger.setInterceptor((line) => {
    spinner.clear();
    process.stderr.write(`${line}\n`);
    spinner.render();
  });
  return {
    stage(key, text) {
      stages.set(key, text);
      render();
      if (!spinner.isSpinning) spinner.start();
    },
    done(key, ok, text) {
      stages.delete(key);
      finished++;
      spinner.stopAndPersist({ symbol: ok ? '✔' : '✖', text: `${key} ${text}` });
      if (stages.size > 0) {
        render();
        spinner.start();
      }
    },
    stop() {
      spinner.stop();
      opts.logger.setInterceptor(undefined);
    },
  };
}
