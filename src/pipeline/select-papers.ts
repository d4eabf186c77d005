/** Which of the day's papers digest daily writes: the filters, --limit, and what --max-cost admits. */
import type { Paper } from '../arxiv/paper.js';
import type { Cache } from '../cache/cache.js';
import { costOf, type priceOf } from '../llm/cost.js';
import type { LlmFacts } from '../llm/llm-client.js';
import type { DailyOptions } from '../settings/resolve.js';
import type { PostFolder } from '../output/post-folder.js';
import type { DigestEntry } from '../render/digest-page.js';
import type { Template } from '../templates/template.js';
import type { Logger } from '../ui/logger.js';
import { estimatePaper } from './estimate.js';
import { entryFromFile } from './digest-entries.js';
import type { TextAccess } from './paper-text.js';
import { readPosts, type PostedPaper } from './refresh.js';

type Filters = Pick<DailyOptions, 'match' | 'exclude' | 'authors' | 'limit'>;

/** --match, --exclude and --authors on one paper. */
export function passesFilters(p: Paper, o: Filters): boolean {
  const text = `${p.title}\n${p.abstract}`;
  if (o.match && !o.match.test(text)) return false;
  if (o.exclude && o.exclude.test(text)) return false;
  if (o.authors.length && !p.authors.some((a) => o.authors.some((n) => a.name.toLowerCase().includes(n)))) return false;
  return true;
}

/** --match, --exclude and --authors, then --limit in arXiv order. */
export function selectPapers(all: Paper[], o: Filters): { papers: Paper[]; filtered: number } {
  const kept = all.filter((p) => passesFilters(p, o));
  return { papers: o.limit !== undefined ? kept.slice(0, o.limit) : kept, filtered: all.length - kept.length };
}

export interface CostCap {
  maxCost: number;
  price: ReturnType<typeof priceOf>;
  model: string;
  templates: Template[];
  cache: Cache;
  llm: LlmFacts;
  text: TextAccess;
  logger: Logger;
}

/**
 * Which of the papers to write are started, decided one by one in the order they are written (as each
 * arrives, so a run need not wait for the whole day): a post already in the folder is kept (its front
 * matter feeds the page) unless its paper has a newer version (rewritten) or --force; --max-cost admits
 * papers while the estimated spend stays under the cap. Index → reason not to start.
 */
export class Admission {
  readonly existing = new Map<number, DigestEntry>();
  readonly older = new Map<number, PostedPaper>();
  readonly skip = new Map<number, string>();
  private planned = 0;
  private over = 0;
  private posts: Promise<Map<string, PostedPaper>> | undefined;

  /** `cap` needs a price (digest daily refuses --max-cost without one). */
  constructor(private readonly o: { folder: PostFolder | undefined; force: boolean; cap: CostCap | undefined }) {}

  /** The paper's post already in the folder, if any (read ahead: it does not depend on the order). */
  async lookup(p: Paper): Promise<DigestEntry | undefined> {
    const { folder } = this.o;
    const file = folder && !this.o.force ? folder.existing(p.id) : undefined;
    return file ? entryFromFile(file, p) : undefined;
  }

  /** Decides paper i; called in order. `entry`: what lookup() found. */
  async admit(i: number, p: Paper, entry: DigestEntry | undefined): Promise<void> {
    const { folder, cap } = this.o;
    if (entry) {
      // a newer version than the post's: rewritten over it, when the post is one of ours
      const post = p.version > entry.version ? (await this.postsIn(folder!)).get(p.id) : undefined;
      if (post) this.older.set(i, post);
      else {
        this.existing.set(i, entry);
        this.skip.set(i, 'post already in the folder (use --force to rewrite)');
        return;
      }
    }
    if (!cap) return;
    const est = await estimatePaper(p, cap.templates, cap.cache, cap.llm, cap.text);
    const cost = costOf({ promptTokens: est.input, completionTokens: est.output, cachedTokens: 0 }, cap.price) ?? 0;
    if (this.planned + cost > cap.maxCost) {
      this.skip.set(i, `--max-cost ${cap.maxCost}: estimated spend would pass the cap`);
      this.over++;
    } else this.planned += cost;
  }

  private postsIn(folder: PostFolder): Promise<Map<string, PostedPaper>> {
    this.posts ??= readPosts(folder).then((ps) => new Map(ps.map((x) => [x.id, x])));
    return this.posts;
  }

  /** Once every paper is decided: what the cap held back. */
  finish(): void {
    if (this.over)
      this.o.cap?.logger.warn(
        `--max-cost $${this.o.cap.maxCost}: ${this.over} paper(s) will not be started (estimated spend would pass the cap)`,
      );
  }
}
