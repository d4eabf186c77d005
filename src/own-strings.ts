/**
 * Strings that own their characters. A V8 string cut out of a longer one (a regex match, `slice`,
 * `trim`, what an XML parser takes out of a document) is a view that keeps the whole longer string alive:
 * a Chinese title kept for the day's page holds the model's whole answer, an arXiv id holds the 50-paper
 * response it came in. What is kept for the rest of a run goes through here once; the copy is made by
 * JSON.parse, which always builds new strings.
 */

/** The same string, with characters of its own. */
export function ownString(s: string): string {
  return s.length === 0 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** The same value, with every string in its plain objects and arrays owned; other values are kept as they are. */
export function ownStrings<T>(value: T): T {
  if (typeof value === 'string') return ownString(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => ownStrings(v)) as T;
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const [k, v] of Object.entries(value)) out[k] = ownStrings(v);
    return out as T;
  }
  return value;
}
