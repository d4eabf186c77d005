/** A paper as the pipeline sees it, for in-process tests: every field filled, the ones a test names set. */
import type { Paper } from '../../src/arxiv/paper.js';

export function makePaper(o: Partial<Paper> & { id: string }): Paper {
  const title = o.title ?? `Paper ${o.id}`;
  const abstract = o.abstract ?? `Abstract of paper ${o.id}.`;
  return {
    version: 1,
    title,
    rawTitle: title,
    authors: [{ name: 'A. Author', affiliations: [] }],
    abstract,
    rawAbstract: abstract,
    published: '',
    updated: '',
    primaryCategory: 'cs.CL',
    categories: ['cs.CL'],
    comment: '',
    journalRef: '',
    dois: [],
    links: { abs: '', pdf: '' },
    ...o,
  };
}
