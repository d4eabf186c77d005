/** Which text each template gets, and each paper's full text fetched at most once per run. */
import { own } from '../own.js';
import type { ArxivClient } from '../arxiv/arxiv-client.js';
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { getPaperText } from '../fulltext/get-text.js';
import type { PaperText } from '../fulltext/types.js';
import type { FullTextSettings } from '../settings/resolve.js';
import type { Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import type { SourceChoice, Writing } from './messages.js';

export interface TextAccess {
  /** Which text a template gets (--source, config, template, default). */
  sourceFor: (tpl: Template) => SourceChoice;
  /** The paper's full text (HTML → ar5iv → PDF → abstract). */
  getText: (paper: Paper) => Promise<PaperText>;
  contextTokens: number;
  /** How the run writes (variant, glossary, strictness); undefined: Simplified, no glossary. */
  writing?: Writing;
}

export function createTextAccess(
  ft: FullTextSettings,
  arxiv: ArxivClient,
  cache: Cache,
  logger: Logger,
  writing?: Writing,
): TextAccess {
  const inflight = new Map<string, Promise<PaperText>>();
  return {
    sourceFor: (tpl) =>
      ft.override ??
      (typeof ft.configured === 'string' ? ft.configured : own(ft.configured, tpl.name)) ??
      tpl.source ??
      (tpl.kind === 'qa' ? 'full' : 'abstract'),
    getText: (paper) => {
      const key = `${paper.id}v${paper.version}`;
      let p = inflight.get(key);
      if (!p) {
        p = getPaperText(paper, {
          ...ft,
          arxiv,
          cache,
          warn: (m) => logger.warn(m),
          verbose: (m) => logger.verbose(m),
        });
        inflight.set(key, p);
      }
      return p;
    },
    contextTokens: ft.contextTokens,
    ...(writing ? { writing } : {}),
  };
}
