import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedFormatError, parseAtom } from '../../src/arxiv/parse-atom.js';
import { ownString, ownStrings } from '../../src/own-strings.js';

const fx = (name: string) => readFileSync(new URL(`../../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

describe('parseAtom on recorded arXiv responses', () => {
  it('2026 layout, single entry: every field', () => {
    const r = parseAtom(fx('api-2026-idlist-single-1605.08386.xml'));
    expect(r.totalResults).toBe(1);
    expect(r.papers).toHaveLength(1);
    const p = r.papers[0]!;
    expect(p.id).toBe('1605.08386');
    expect(p.version).toBe(1);
    expect(p.title).toBe('Heat-bath random walks with Markov bases');
    expect(p.authors.map((a) => a.name)).toEqual(['Caprice Stanley', 'Tobias Windisch']);
    expect(p.categories).toEqual(['math.CO', 'math.ST']);
    expect(p.primaryCategory).toBe('math.CO');
    expect(p.comment).toBe('20 pages, 3 figures');
    expect(p.published).toBe('2016-05-26T17:59:46Z');
    expect(p.links.pdf).toBe('https://arxiv.org/pdf/1605.08386v1');
    expect(p.abstract).toMatch(/^Graphs on lattice points/);
  });

  it('title "0" stays text and $35,000 stays money', () => {
    const p = parseAtom(fx('api-2026-idlist-2104.12255v1-title-0-dollar-amount.xml')).papers[0]!;
    expect(p.title).toBe('0');
    expect(p.abstract).toContain('\\$35,000');
  });

  it('old-style id, affiliations, journal_ref, escaped entities', () => {
    const p = parseAtom(fx('api-2026-idlist-oldstyle-astro-ph-0601001.xml')).papers[0]!;
    expect(p.id).toBe('astro-ph/0601001');
    expect(p.authors[0]).toEqual({ name: 'Andrew Gould', affiliations: ['Ohio State'] });
    expect(p.journalRef).not.toBe('');
    expect(p.abstract).toContain('Gould & Morgan');
    expect(p.abstract).toContain('$1^{+1.39}_{-0.59}$');
    expect(p.abstract).not.toMatch(/^\s/);
  });

  it('an id_list with a nonexistent id returns just the real one, 34 authors, unicode names', () => {
    const r = parseAtom(fx('api-2026-idlist-two-ids-one-nonexistent.xml'));
    expect(r.papers.map((p) => p.id)).toEqual(['1707.08567']);
    expect(r.papers[0]!.authors).toHaveLength(34);
    expect(r.papers[0]!.authors.map((a) => a.name)).toContain('Dirk Wübben');
  });

  it('error feed (HTTP 400 for a malformed id) becomes an error, not a paper', () => {
    const r = parseAtom(fx('api-2026-error-malformed-id-abc-http400.xml'));
    expect(r.papers).toEqual([]);
    expect(r.errors).toEqual(['incorrect id format for abc']);
  });

  it('empty feed for an unknown id', () => {
    const r = parseAtom(fx('api-2026-empty-nonexistent-id-0000.0000.xml'));
    expect(r.papers).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(r.totalResults).toBe(0);
  });

  it('first day of the new backend: links without rel/type/title still give abs and pdf', () => {
    const r = parseAtom(fx('api-2025-11-11-idlist-four-ids-links-missing-attrs.xml'));
    expect(r.papers).toHaveLength(1);
    const p = r.papers[0]!;
    expect(p.id).toBe('2201.13452');
    expect(p.links.pdf).toMatch(/\/pdf\/2201\.13452v1$/);
    expect(p.links.abs).toMatch(/\/abs\/2201\.13452v1$/);
  });

  it('legacy layout: phantom entries skipped, wrapped text joined, MSC class dropped, https links', () => {
    const r = parseAtom(fx('api-legacy-2025-08-idlist-four-ids-phantom-entries.xml'));
    expect(r.papers).toHaveLength(1);
    const p = r.papers[0]!;
    expect(p.title).toBe(
      'Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease',
    );
    expect(p.categories).toEqual(['math.AP']);
    expect(p.comment).toBe('34 pages');
    expect(p.abstract).not.toContain('\n');
    expect(p.links.abs.startsWith('https://')).toBe(true);
  });

  it('legacy layout with DOI, journal_ref and a TeX accent', () => {
    const p = parseAtom(fx('api-legacy-2020-idlist-1601.00001-doi-jref-tex-accent.xml')).papers[0]!;
    expect(p.dois).toEqual(['10.1063/1.4944470']);
    expect(p.links.doi).toBe('https://doi.org/10.1063/1.4944470');
    expect(p.journalRef).toBe('J. Chem. Phys. 144, 124107 (2016)');
    expect(p.abstract).toContain('Landauer-Büttiker');
    expect(p.title).toBe('Inelastic effects in molecular transport junctions: The probe technique at high bias');
  });

  it('legacy search page: six categories, wrapped comment', () => {
    const r = parseAtom(fx('api-legacy-2025-10-search-cat-cs.RO-max2.xml'));
    expect(r.totalResults).toBe(5619);
    expect(r.papers[0]!.categories).toEqual(['cs.RO', 'cs.AI', 'cs.CV', 'cs.LG', 'cs.SY', 'eess.SY']);
    expect(r.papers[0]!.comment).not.toContain('\n');
  });

  it('2026 search page: ten entries, DOIs, unicode math kept as math', () => {
    const r = parseAtom(fx('api-2026-search-all-testing-start5-max10.xml'));
    expect(r.papers).toHaveLength(10);
    expect(r.papers.some((p) => p.dois.length > 0)).toBe(true);
    const hyp = r.papers.find((p) => p.abstract.includes('hypothesis testing'))!;
    expect(hyp.abstract).toContain('$α$');
    expect(hyp.abstract).toContain('i.i.d. samples');
  });

  it('a truncated feed is an error, not a shorter list', () => {
    const xml = fx('api-2026-idlist-two-ids-one-nonexistent.xml');
    expect(() => parseAtom(xml.slice(0, Math.floor(xml.length / 2)))).toThrow(FeedFormatError);
  });

  it('rejects what is not a feed', () => {
    expect(() => parseAtom('Rate exceeded.')).toThrow(FeedFormatError);
    expect(() => parseAtom('<html><title>Access Denied</title></html>')).toThrow(FeedFormatError);
  });
});

describe('ownStrings', () => {
  it('copies strings and keeps the shape: arrays, plain and null-prototype objects, undefined, dates, numbers', () => {
    const when = new Date(0);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' });
    const value = { a: 'x'.repeat(40).slice(3), b: [1, 'two', { c: undefined }], when, bare, n: null, t: true };
    const copy = ownStrings(value);
    expect(copy).toStrictEqual(value);
    expect(copy).not.toBe(value);
    expect(copy.when).toBe(when);
    expect(Object.getPrototypeOf(copy.bare)).toBe(null);
    expect('c' in (copy.b[2] as object)).toBe(true);
    expect(ownString('')).toBe('');
    expect(ownString('标题：一文读懂')).toBe('标题：一文读懂');
  });
});
