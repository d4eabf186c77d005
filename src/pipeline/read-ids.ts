/** Collect and validate every id before any network call. */
import { ACCEPTED_FORMS, parseArxivRef, refKey, type ArxivRef } from '../arxiv/arxiv-id.js';
import { DigestError, usageError } from '../errors.js';

export async function readStdinLines(stdin: NodeJS.ReadableStream): Promise<string[]> {
  let data = '';
  stdin.setEncoding('utf8');
  for await (const chunk of stdin) data += chunk as string;
  return data
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export async function readIds(args: string[], stdin: () => Promise<string[]>): Promise<ArxivRef[]> {
  const raw: string[] = [];
  for (const a of args) {
    if (a === '-') raw.push(...(await stdin()));
    else raw.push(a);
  }
  if (raw.length === 0) throw usageError('no arXiv ids given', 'pass ids as arguments, or - to read them from stdin');
  const bad: string[] = [];
  const refs: ArxivRef[] = [];
  const seen = new Set<string>();
  for (const r of raw) {
    // papers.cool accepts comma-joined ids in one URL
    const pieces = /papers\.cool\/arxiv\/[^/]*,/.test(r) ? expandCommaUrl(r) : [r];
    for (const piece of pieces) {
      const res = parseArxivRef(piece);
      if (!res.ok) {
        bad.push(`bad arXiv id ${JSON.stringify(shorten(piece))}: ${res.reason} (${ACCEPTED_FORMS})`);
        continue;
      }
      const key = refKey(res.ref);
      if (!seen.has(key)) {
        seen.add(key);
        refs.push(res.ref);
      }
    }
  }
  if (bad.length) throw new DigestError('bad-id', bad.join('\n'));
  return refs;
}

function expandCommaUrl(url: string): string[] {
  const m = /^(.*papers\.cool\/arxiv\/)([^?#]*)/.exec(url);
  if (!m) return [url];
  return m[2]!.split(',').map((id) => `${m[1]}${id}`);
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
