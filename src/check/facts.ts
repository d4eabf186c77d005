/**
 * The facts check of one answer: the figures and names it states that the text its template was given
 * does not (an abstract-only answer is checked against the abstract, not against a full text it never saw).
 */
import type { Paper } from '../arxiv/paper.js';
import type { PaperText } from '../fulltext/types.js';
import { unsupportedFigures, type Claim } from './figures.js';
import { unsupportedNames } from './names.js';

export interface Unverified extends Claim {
  kind: 'figure' | 'name';
  /** The template whose answer states it. */
  template: string;
}

/** The text a template was given: the paper's metadata, and the full text when it had it. */
export function givenText(paper: Paper, text: PaperText | undefined): string {
  return [
    paper.title,
    paper.abstract,
    paper.comment,
    paper.journalRef,
    ...(text && text.source !== 'abstract' ? text.sections.map((s) => `${s.heading}\n${s.text}`) : []),
    ...(text?.figures.map((f) => f.caption) ?? []),
  ].join('\n');
}

export function unverifiedClaims(written: string, given: string, template: string): Unverified[] {
  return [
    ...unsupportedFigures(written, given).map((c) => ({ ...c, kind: 'figure' as const, template })),
    ...unsupportedNames(written, given).map((c) => ({ ...c, kind: 'name' as const, template })),
  ];
}

const MARK = '（待核实）';

/** Each unsupported claim marked where the reader sees it: 37.5%（待核实）; code, math and links left alone. */
export function markClaims(text: string, claims: string[]): string {
  if (!claims.length || !text) return text;
  const sorted = [...new Set(claims)].sort((a, b) => b.length - a.length);
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(${sorted.map(esc).join('|')})(?!${MARK})(?![\\d.%A-Za-z])`, 'g');
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`|\$\$[\s\S]*?\$\$|\$[^$\n]+\$|\]\([^)]*\))/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(re, `$1${MARK}`)))
    .join('');
}
