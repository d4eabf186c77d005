/**
 * What an entry of each cache namespace must look like to be used. The cache is a folder of files anyone
 * (or a crash, or an older version) may have changed: an entry that does not fit is ignored and rebuilt,
 * never handed on to fail every paper or to write an empty section.
 */
type Check = (v: unknown) => boolean;

const obj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const text: Check = (v) => typeof v === 'string' && v.trim() !== '';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const list =
  (each: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(each);
const optional =
  (check: Check): Check =>
  (v) =>
    v === undefined || check(v);
const shape =
  (fields: Record<string, Check>): Check =>
  (v) =>
    obj(v) && Object.entries(fields).every(([k, check]) => check(Object.hasOwn(v, k) ? v[k] : undefined));

const usage = shape({ promptTokens: num, completionTokens: num, cachedTokens: num });
const figure = shape({ src: text, caption: str });

const SHAPES = new Map<string, Check>([
  // a model's answer as it came back
  ['answers', shape({ text, finishReason: str, usage })],
  // a template's answer as the post is assembled from it
  [
    'llm',
    shape({
      text,
      titleZh: optional(str),
      source: optional(str),
      pairs: optional(list(shape({ question: text, answer: str }))),
      problems: optional(list(str)),
      figure: optional(figure),
    }),
  ],
  [
    'meta',
    shape({
      id: text,
      version: num,
      title: text,
      rawTitle: str,
      abstract: str,
      rawAbstract: str,
      authors: list(shape({ name: str, affiliations: list(str) })),
      published: str,
      updated: str,
      primaryCategory: str,
      categories: list(str),
      comment: str,
      journalRef: str,
      dois: list(str),
      links: shape({ abs: text, pdf: text }),
    }),
  ],
  ['latest', shape({ version: num, at: num })],
  ['fulltext', shape({ source: text, sections: list(shape({ heading: str, text: str })), figures: list(figure) })],
  ['embeddings', (v) => Array.isArray(v) && v.length > 0 && v.every(num)],
  ['overview', shape({ text, problems: list(str) })],
  ['listing', shape({ titleZh: text, summary: text })],
  ['rank', shape({ score: num, reason: str })],
  ['batch-requests', shape({ batch: text })],
]);

/** Whether a namespace's entry can be used (namespaces without a shape here hold data checked where read). */
export function fits(ns: string, value: unknown): boolean {
  const check = SHAPES.get(ns);
  return check ? check(value) : value !== undefined && value !== null;
}
