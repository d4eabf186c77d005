/**
 * Ranking with the provider's embeddings: each paper's title and abstract, each example paper and the
 * description become vectors; a paper's score is its cosine similarity to the nearest example plus its
 * similarity to the description. Followed authors, keywords and negative keywords work as in lexical.
 */
import type { Paper } from '../arxiv/paper.js';
import type { ExamplePaper, Interests } from './interests.js';
import { closeTo, dropExcluded, order, type Ranking } from './lexical.js';

export type Embed = (texts: string[]) => Promise<number[][]>;

const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * (b[i] ?? 0);
    na += a[i]! * a[i]!;
    nb += (b[i] ?? 0) * (b[i] ?? 0);
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
};

export async function rankEmbedding(
  papers: Paper[],
  interests: Interests,
  examples: ExamplePaper[],
  embed: Embed,
): Promise<Ranking> {
  const { kept, dropped } = dropExcluded(papers, interests);
  const asText = (t: { title: string; abstract: string }) => `${t.title}\n${t.abstract}`.slice(0, 8000);
  const probes = [...examples.map(asText), ...(interests.description ? [interests.description] : [])];
  const vectors = await embed([...kept.map(asText), ...probes]);
  const paperVecs = vectors.slice(0, kept.length);
  const exampleVecs = vectors.slice(kept.length, kept.length + examples.length);
  const description = interests.description ? vectors.at(-1) : undefined;
  const nearest = paperVecs.map((v) => {
    let best = -1;
    let at = -1;
    exampleVecs.forEach((e, i) => {
      const c = cosine(v, e);
      if (c > best) [best, at] = [c, i];
    });
    return { score: Math.max(0, best), example: at >= 0 ? examples[at]!.title : undefined };
  });
  const score = (i: number) => nearest[i]!.score + (description ? Math.max(0, cosine(paperVecs[i]!, description)) : 0);
  return order(kept, interests, score, (i) => closeTo(nearest[i]!.example), dropped);
}
