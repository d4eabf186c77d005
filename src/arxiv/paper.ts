/** Everything the arXiv feed carries about one paper, cleaned for Markdown. */
export interface Author {
  name: string;
  affiliations: string[];
}

export interface Paper {
  /** Canonical id without version. */
  id: string;
  version: number;
  title: string;
  /** Title exactly as arXiv sent it (whitespace folded). */
  rawTitle: string;
  authors: Author[];
  /** Abstract as Markdown (LaTeX made readable, math kept). */
  abstract: string;
  rawAbstract: string;
  published: string;
  updated: string;
  primaryCategory: string;
  categories: string[];
  comment: string;
  journalRef: string;
  dois: string[];
  links: { abs: string; pdf: string; doi?: string };
}

export function paperLinks(id: string, version: number) {
  return {
    abs: `https://arxiv.org/abs/${id}v${version}`,
    pdf: `https://arxiv.org/pdf/${id}v${version}`,
    papersCool: `https://papers.cool/arxiv/${id}`,
  };
}
