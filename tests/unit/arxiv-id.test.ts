import { describe, expect, it } from 'vitest';
import { fileStem, parseArxivRef, refKey } from '../../src/arxiv/arxiv-id.js';

const valid: Array<[string, string, number | undefined]> = [
  ['2404.16418', '2404.16418', undefined],
  ['2404.16418v2', '2404.16418', 2],
  ['  2404.16418v12 ', '2404.16418', 12],
  ['arXiv:2404.16418', '2404.16418', undefined],
  ['arxiv:2404.16418v3', '2404.16418', 3],
  ['ARXIV: 2404.16418', '2404.16418', undefined],
  ['https://arxiv.org/abs/2404.16418v1', '2404.16418', 1],
  ['http://arxiv.org/abs/2404.16418', '2404.16418', undefined],
  ['https://www.arxiv.org/abs/2404.16418', '2404.16418', undefined],
  ['https://export.arxiv.org/abs/2404.16418v2', '2404.16418', 2],
  ['https://arxiv.org/pdf/2404.16418', '2404.16418', undefined],
  ['https://arxiv.org/pdf/2404.16418.pdf', '2404.16418', undefined],
  ['https://arxiv.org/pdf/2404.16418v1.pdf', '2404.16418', 1],
  ['https://arxiv.org/html/2404.16418v1', '2404.16418', 1],
  ['https://arxiv.org/html/2404.16418v1/', '2404.16418', 1],
  ['https://arxiv.org/html/2404.16418v1#S3', '2404.16418', 1],
  ['https://arxiv.org/abs/2404.16418?context=cs', '2404.16418', undefined],
  ['arxiv.org/abs/2404.16418', '2404.16418', undefined],
  ['https://papers.cool/arxiv/2404.16418', '2404.16418', undefined],
  ['https://www.alphaxiv.org/abs/2404.16418', '2404.16418', undefined],
  ['https://www.alphaxiv.org/abs/2404.16418?chatId=abc', '2404.16418', undefined],
  ['https://ar5iv.labs.arxiv.org/html/2404.16418', '2404.16418', undefined],
  ['https://huggingface.co/papers/2404.16418', '2404.16418', undefined],
  ['hep-th/9711200', 'hep-th/9711200', undefined],
  ['hep-th/9711200v2', 'hep-th/9711200', 2],
  ['math.GT/0309136', 'math/0309136', undefined],
  ['arXiv:math.GT/0309136v1', 'math/0309136', 1],
  // a subject class that looks like a host's top-level domain (.CO, combinatorics) is still an id
  ['math.CO/0309136', 'math/0309136', undefined],
  ['math.CO/0309136v2', 'math/0309136', 2],
  ['https://arxiv.org/abs/hep-th/9711200', 'hep-th/9711200', undefined],
  ['https://arxiv.org/pdf/astro-ph/0601001v1', 'astro-ph/0601001', 1],
  ['cond-mat/0102536', 'cond-mat/0102536', undefined],
  ['0704.0001', '0704.0001', undefined],
  ['1412.9999', '1412.9999', undefined],
  ['1501.00001', '1501.00001', undefined],
  // a papers.cool link drops the leading zero: its id is read as arXiv's
  ['https://papers.cool/arxiv/2401.6769', '2401.06769', undefined],
  ['https://papers.cool/arxiv/1406.02661', '1406.2661', undefined],
];

const malformed: string[] = [
  // typed with a digit too few or too many: a typo is refused, not silently made into another paper
  '2401.6769',
  '2404.1641',
  '1406.02661',
  '',
  '   ',
  'abc',
  '2404',
  '2404.1',
  '2404.123',
  '2404.1234567',
  '2413.16418',
  '2400.16418',
  '0612.0001',
  '1412.99999',
  '2404.16418v0',
  '2404.16418v',
  '2404.16418vv2',
  '2404.00000',
  'hep-xx/9711200',
  'hep-th/971120',
  'hep-th/9713200',
  'hep-th/0801001',
  'hep-th/9011001',
  '0112019',
  '../../etc/passwd',
  '2404.16418;rm -rf /',
  '2404.16418/../../x',
  '２４０４.１６４１８',
  '2404\u202e.16418',
  'https://example.com/abs/2404.16418',
  'https://arxiv.org/list/cs.CL/new',
  'ftp://arxiv.org/abs/2404.16418',
  'https://user:pw@arxiv.org/abs/2404.16418',
  'x'.repeat(10_000),
  '2404.16418 2404.16419',
  'arXiv:',
  'doi:10.48550/arXiv.2404.16418',
];

describe('parseArxivRef', () => {
  it.each(valid)('accepts %j', (input, id, version) => {
    const r = parseArxivRef(input);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) {
      expect(r.ref.id).toBe(id);
      expect(r.ref.version).toBe(version);
    }
  });

  it.each(malformed.map((m) => [m]))('rejects %j with a reason', (input) => {
    const r = parseArxivRef(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.length).toBeGreaterThan(3);
  });

  it('names the digit rule for a wrong-length number', () => {
    const r = parseArxivRef('1412.99999');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('4 digits');
  });
});

describe('file names', () => {
  it('never contain a path separator or escape the folder', () => {
    expect(fileStem('hep-th/9711200')).toBe('hep-th_9711200');
    expect(fileStem('2404.16418')).toBe('2404.16418');
    expect(fileStem('../x')).not.toContain('/');
  });
  it('refKey carries the version only when one was asked for', () => {
    expect(refKey({ id: '2404.16418', version: undefined })).toBe('2404.16418');
    expect(refKey({ id: '2404.16418', version: 2 })).toBe('2404.16418v2');
  });
});

describe('an id with a digit too few says which id it might be', () => {
  it('2404.1641: refused with the padded id as a suggestion', () => {
    const r = parseArxivRef('2404.1641');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('ids from 2404 have 5 digits after the dot (did you mean 2404.01641?)');
  });
});
