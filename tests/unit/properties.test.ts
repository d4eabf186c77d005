/**
 * Property-based layer for the input surfaces (issue 16, "The suite"): ids, config files, template sources,
 * cache entries and model answers are generated, and each must either be refused with one line naming it or
 * give a valid result; never a TypeError, a multi-line message, a used entry of the wrong shape, or a script
 * link written.
 *
 * Runs are reproducible: a fixed seed (DIGEST_PROP_SEED=<n> for another one) and a capped number of runs
 * (DIGEST_PROP_RUNS=<factor> to multiply them when exploring). A failure prints the seed, the path and the
 * shrunk counterexample; rerun with that seed to get it again.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArxivRef } from '../../src/arxiv/arxiv-id.js';
import { createCache, hashKey } from '../../src/cache/cache.js';
import { fits } from '../../src/cache/shapes.js';
import { DigestError } from '../../src/errors.js';
import { buildMessages } from '../../src/pipeline/messages.js';
import { demoteHeadings, flattenHeadings, sanitizeModelMarkdown } from '../../src/render/sanitize.js';
import { validateConfig } from '../../src/settings/config-file.js';
import { parseTemplate, renderString, TEMPLATE_VARIABLES } from '../../src/templates/template.js';
import { tempDir } from '../helpers/cli.js';
import { makePaper } from '../helpers/paper.js';

const SEED = Number(process.env['DIGEST_PROP_SEED'] ?? 16_2026);
const SCALE = Number(process.env['DIGEST_PROP_RUNS'] ?? 1);
const opts = (numRuns: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)) });

/** Names every JavaScript object has: a user's key or variable must never find them. */
const BUILTINS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf'];

/** Text of any kind: full unicode (lone surrogates too), graphemes, and the odd control character. */
const anyText = (maxLength = 30) =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '\t', '\r', '\u0000', '\u001b', '\u2028', '"', '\\'),
      maxLength,
    }),
  );

/** An error the CLI prints as it is: a DigestError, with a message that is one line. */
function expectOneLineError(err: unknown, code: string, mentions: string): void {
  if (!(err instanceof DigestError)) throw new Error(`not a DigestError: ${String((err as Error)?.stack ?? err)}`);
  expect(err.code).toBe(code);
  expect(err.message, `one line: ${JSON.stringify(err.message)}`).not.toMatch(/[\r\n]/);
  expect(err.message).toContain(mentions);
}

describe('ids: parseArxivRef', () => {
  const ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;

  const idish = fc
    .tuple(
      fc.constantFrom(
        '',
        ' ',
        '\t',
        'arXiv:',
        'arxiv: ',
        'ARXIV:',
        'https://arxiv.org/abs/',
        'http://export.arxiv.org/pdf/',
        'arxiv.org/html/',
        'https://papers.cool/arxiv/',
        'https://papers.cool/arxiv/kimi?paper=',
        'https://www.alphaxiv.org/overview/',
        'https://huggingface.co/papers/',
        'https://ar5iv.labs.arxiv.org/html/',
        'https://user:pw@arxiv.org/abs/',
        'https://arxiv.org:8443/abs/',
        'https://example.com/abs/',
        'ftp://arxiv.org/abs/',
        'javascript:',
      ),
      fc
        .array(
          fc.constantFrom(
            ...'0123456789',
            '.',
            'v',
            '/',
            '-',
            '2404',
            '16418',
            '0704',
            '1412',
            'hep-th',
            'math.GT',
            'cs',
            ' ',
            '\u00a0',
            '０',
            '٣',
            '%2F',
            '%',
            '..',
            '?',
            '#',
          ),
          { maxLength: 14 },
        )
        .map((xs) => xs.join('')),
      fc.constantFrom('', '.pdf', '/', '//', 'v1', 'v0', 'v99999', '?x=1', '#S2', ' ', '\n', '\u202e'),
    )
    .map(([a, b, c]) => a + b + c);

  const arbitrary = fc.oneof(
    { weight: 3, arbitrary: anyText(40) },
    { weight: 3, arbitrary: idish },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 295, maxLength: 320 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1000, maxLength: 3000 }) },
  );

  it('any string: never throws; ok with a canonical id, or not ok with a one-line reason', () => {
    fc.assert(
      fc.property(arbitrary, (s) => {
        const r = parseArxivRef(s);
        if (r.ok) {
          expect(r.ref.id).toMatch(ID);
          expect(r.ref.input).toBe(s);
          if (r.ref.version !== undefined) expect(Number.isInteger(r.ref.version) && r.ref.version >= 1).toBe(true);
          // the canonical id is itself accepted, as the same paper
          const again = parseArxivRef(r.ref.id);
          expect(again.ok && again.ref.id).toBe(r.ref.id);
        } else {
          expect(r.input).toBe(s);
          expect(typeof r.reason).toBe('string');
          expect(r.reason.trim()).not.toBe('');
          expect(r.reason).not.toMatch(/[\r\n]/);
          expect(r.reason.length).toBeLessThan(200);
        }
      }),
      opts(1000),
    );
  });

  /** A new-style id (0704 on; four digits to 1412, five after), with the id it is. */
  const newId = fc
    .record({
      yy: fc.integer({ min: 7, max: 26 }),
      mm: fc.integer({ min: 1, max: 12 }),
      n: fc.integer({ min: 1, max: 99_999 }),
    })
    .filter(({ yy, mm }) => yy * 100 + mm >= 704)
    .map(({ yy, mm, n }) => {
      const yymm = `${String(yy).padStart(2, '0')}${String(mm).padStart(2, '0')}`;
      const digits = yy * 100 + mm <= 1412 ? 4 : 5;
      const num = String(Math.min(n, 10 ** digits - 1)).padStart(digits, '0');
      return `${yymm}.${num}`;
    });

  /** An old-style id (9107 to 0703): archive[.SC]/YYMMNNN; the subject class is not part of the id. */
  const oldId = fc
    .record({
      archive: fc.constantFrom('hep-th', 'hep-ph', 'math', 'cs', 'cond-mat', 'astro-ph', 'quant-ph', 'gr-qc', 'nlin'),
      // real subject classes (math.CO, cs.GT…), some of which look like a host's top-level domain, and any two
      sc: fc.option(
        fc.oneof(
          fc.constantFrom(
            ...'AG AT AP CT CA CO AC CV DG DS FA GM GN GT GR HO IT KT LO MP NT NA OA OC PR QA'.split(' '),
          ),
          fc.stringMatching(/^[A-Z]{2}$/),
        ),
        { nil: undefined },
      ),
      ym: fc.integer({ min: 0, max: (2007 - 1991) * 12 + 2 - 6 }), // months from 1991-07 to 2007-03
      n: fc.integer({ min: 1, max: 999 }),
    })
    .map(({ archive, sc, ym, n }) => {
      const year = 1991 + Math.floor((ym + 6) / 12);
      const month = ((ym + 6) % 12) + 1;
      const yymm = `${String(year % 100).padStart(2, '0')}${String(month).padStart(2, '0')}`;
      const id = `${archive}/${yymm}${String(n).padStart(3, '0')}`;
      return { id, typed: sc ? `${archive}.${sc}/${yymm}${String(n).padStart(3, '0')}` : id };
    });

  const forms = fc.constantFrom(
    (x: string) => x,
    (x: string) => `  ${x}\t`,
    (x: string) => `arXiv:${x}`,
    (x: string) => `ARXIV: ${x}`,
    (x: string) => `https://arxiv.org/abs/${x}`,
    (x: string) => `https://arxiv.org/pdf/${x}.pdf`,
    (x: string) => `http://export.arxiv.org/abs/${x}/`,
    (x: string) => `arxiv.org/html/${x}#S3`,
    (x: string) => `https://www.alphaxiv.org/abs/${x}?chatId=1`,
    (x: string) => `https://papers.cool/arxiv/${x}`,
    (x: string) => `https://huggingface.co/papers/${x}`,
    (x: string) => `https://ar5iv.labs.arxiv.org/html/${x}`,
  );

  it('a valid id, in any accepted form and with any version, round-trips', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          newId.map((id) => ({ id, typed: id })),
          oldId,
        ),
        fc.option(fc.integer({ min: 1, max: 9999 }), { nil: undefined }),
        forms,
        ({ id, typed }, version, form) => {
          const input = form(version === undefined ? typed : `${typed}v${version}`);
          const r = parseArxivRef(input);
          expect(r.ok ? r.ref : r).toEqual({ id, version, input });
        },
      ),
      opts(500),
    );
  });
});

describe('config files: validateConfig', () => {
  const FILE = '/home/someone/my dir/digest.config.json';
  const KNOWN = ['limit', 'kinds', 'model', 'prices', 'interests', 'source', 'contextTokens', 'strict', 'maxCost'];
  const key = fc.oneof(
    fc.constantFrom(...BUILTINS, ...KNOWN, '$schema', '// note', ''),
    fc.string({ maxLength: 12 }),
    anyText(12),
  );
  /** An object as generated: its entries in order, so that "__proto__" can be an own key of the JSON text. */
  class Obj {
    constructor(readonly entries: Array<[string, unknown]>) {}
  }
  /** JSON values, and objects whose keys are built-in names or settings with nested odd values. */
  const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.jsonValue({ maxDepth: 2 }),
      fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((es) => new Obj(es)),
    ),
  })).v;
  /** JSON text with the keys as given ("__proto__" an own key, as JSON.parse makes it). */
  const toJson = (v: unknown): string =>
    v instanceof Obj
      ? `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`
      : (JSON.stringify(v) ?? 'null');
  /** Settings with values that fit, so that some files are accepted and what comes back is checked. */
  const good = fc.constantFrom<[string, unknown]>(
    ['limit', 5],
    ['concurrency', 64],
    ['kinds', ['post']],
    ['categories', ['cs.CL', 'math.CO']],
    ['model', 'm'],
    ['strict', 'fail'],
    ['maxCost', 0],
    ['source', { qa: 'full' }],
    ['contextTokens', { default: 8192 }],
    ['prices', { m: { input: 1, output: 2, batch: { input: 0.5, output: 1 } } }],
    ['interests', { keywords: ['x'], description: '' }],
    ['$schema', 42],
    ['// comment', null],
  );
  const raw = fc.oneof(
    { weight: 3, arbitrary: value.map(toJson) },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.oneof({ weight: 3, arbitrary: good }, fc.tuple(key, value)), { maxLength: 5 })
        .map((es) => toJson(new Obj(es))),
    },
    { weight: 1, arbitrary: anyText(40) },
    // broken JSON that quotes what it was given back in V8's message
    { weight: 1, arbitrary: anyText(20).map((s) => `{"model": "x",\n${s}`) },
  );

  it('any JSON (or not JSON): a settings object, or one line naming the file; never a TypeError', () => {
    let accepted = 0;
    fc.assert(
      fc.property(raw, (text) => {
        let out: Record<string, unknown>;
        try {
          out = validateConfig(text, FILE) as Record<string, unknown>;
        } catch (err) {
          expectOneLineError(err, 'config', FILE);
          return;
        }
        accepted++;
        expect(typeof out).toBe('object');
        for (const [k, v] of Object.entries(out)) {
          expect(BUILTINS).not.toContain(k);
          if (['limit', 'top', 'concurrency'].includes(k)) expect(Number.isInteger(v) && (v as number) >= 1).toBe(true);
          if (['kinds', 'categories', 'authors'].includes(k))
            expect(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim())).toBe(true);
          if (k === 'maxCost') expect(typeof v === 'number' && v >= 0).toBe(true);
        }
      }),
      opts(800),
    );
    expect(accepted).toBeGreaterThan(opts(800).numRuns / 10);
  });
});

describe('templates: parseTemplate', () => {
  const NAMES = Object.keys(TEMPLATE_VARIABLES);
  // mostly the paper's own variables (so that a fair share of the templates load and get rendered), then the
  // variables of other kinds and parts, built-in names, and malformed ones
  const PAPER_NAMES = NAMES.slice(0, NAMES.indexOf('source_text') + 1);
  const placeholder = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...PAPER_NAMES).map((n) => `{{${n}}}`) },
    { weight: 2, arbitrary: fc.constantFrom(...NAMES).map((n) => `{{ ${n}\t}}`) },
    { weight: 1, arbitrary: fc.constantFrom(...BUILTINS, 'nonsense', 'Title', '_x').map((n) => `{{${n}}}`) },
    fc.constantFrom(
      '{{',
      '}}',
      '{{}}',
      '{{ title',
      '{{1}}',
      '{{{title}}}',
      '{{title.x}}',
      '{{\ntitle}}',
      '{{\rtitle}}',
      '{ {title}}',
    ),
  );
  const PART_MARKS = ['system', 'user', 'ask-all', 'ask-one', 'figure', 'ask-title'];
  const mark = fc.oneof(
    fc.constantFrom(...PART_MARKS).map((p) => `<!-- ${p} -->`),
    fc.constantFrom(...PART_MARKS, 'User', 'nope').map((p) => `<!--${p}-->`),
  );
  const chunk = fc.oneof(
    { weight: 3, arbitrary: placeholder },
    { weight: 2, arbitrary: mark },
    { weight: 2, arbitrary: fc.constantFrom('论文：', ' ', '\n', '\n\n', '<paper>', '</paper>', '---', '`x`') },
    { weight: 1, arbitrary: anyText(8) },
  );
  const body = fc
    .tuple(fc.boolean(), fc.array(chunk, { maxLength: 14 }))
    .map(([user, xs]) => (user ? '<!-- user -->\n' : '') + xs.join(''));

  /** Mostly good values (so that templates load), the odd bad one. */
  const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
    fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
  const setting = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('post', 'qa', 'section', 'overview', 'listing', 'rank', 'blog', '')
        .map((k) => ['kind', k]),
    },
    fc
      .array(fc.oneof(fc.constantFrom('它做了什么？', '为什么重要？'), anyText(6)), { maxLength: 3 })
      .map((q) => ['questions', q]),
    mostly(fc.double({ noNaN: true, min: 0, max: 2 }), fc.constantFrom(-1, 2.5, 'hot')).map((t) => ['temperature', t]),
    mostly(fc.integer({ min: 1, max: 9000 }), fc.constantFrom(0, -2, 1.5)).map((t) => ['max_tokens', t]),
    mostly(fc.constantFrom('full', 'abstract'), fc.constant('all')).map((s) => ['source', s]),
    mostly(fc.constantFrom('one-by-one', 'all-at-once'), fc.constant('both')).map((s) => ['mode', s]),
    mostly(fc.constantFrom('800-2500', [1, 2]), fc.constantFrom('2500-800', 'x', '-5-5')).map((s) => ['length', s]),
    fc.boolean().map((b) => ['chinese', b]),
    anyText(10).map((d) => ['description', d]),
    anyText(10).map((d) => ['heading', d]),
    { weight: 1, arbitrary: fc.constantFrom(...BUILTINS, 'kinds', 'a\nb', 'a\rb').map((k) => [k, 'post']) },
  );
  const frontMatter = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .uniqueArray(setting as fc.Arbitrary<[string, unknown]>, { minLength: 1, maxLength: 5, selector: ([k]) => k })
        .map((xs) =>
          xs.map(([k, v]) => `${/^[\w$]+$/.test(k) ? k : JSON.stringify(k)}: ${JSON.stringify(v)}`).join('\n'),
        ),
    },
    { weight: 1, arbitrary: anyText(20) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '[a, b]',
        'x: [unclosed',
        '- 1',
        'null',
        '__proto__: {kind: qa}',
        '&a x: *a',
        'kind: qa\nkind: post',
        '',
      ),
    },
  );
  const source = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(frontMatter, body).map(([fm, b]) => `---\n${fm}\n---\n${b}`) },
    { weight: 1, arbitrary: anyText(40) },
  );

  const paper = makePaper({
    id: '2404.16418',
    title: 'A {{title}} that looks like a placeholder',
    abstract: 'An abstract with </paper> in it.',
    published: '2024-04-25T00:00:00Z',
    updated: '2024-04-25T00:00:00Z',
  });
  const figure = { src: 'x1.png', caption: 'Figure 1: Overview of the framework.' };
  const dayVars = {
    overview: { date: '2026-11-17', categories: 'cs.CL', paper_list: '1. 标题' },
    listing: { papers: '[1] arXiv:2404.16418' },
    rank: { papers: '[1] arXiv:2404.16418', interests: 'LLMs' },
  };

  it('a generated source: refused with one line, or a template every message of which renders', () => {
    const FILE = '/prompts/mine.md';
    let accepted = 0;
    fc.assert(
      fc.property(source, (raw) => {
        let tpl;
        try {
          tpl = parseTemplate(raw, FILE, false);
        } catch (err) {
          expectOneLineError(err, 'template', FILE);
          return;
        }
        accepted++;
        // every variable was checked at load: rendering with the variables of its kind cannot fail at all
        // (not only "not with a TypeError"), so a bad template never costs a request
        if (tpl.kind === 'overview' || tpl.kind === 'listing' || tpl.kind === 'rank') {
          const vars = dayVars[tpl.kind];
          for (const part of [tpl.system, tpl.user]) renderString(part, vars, tpl.name);
        } else {
          for (const o of [{}, { figure }]) {
            const built = buildMessages(paper, tpl, o);
            tpl.questions.forEach((_, i) => built.ask(i));
            built.askTitle();
            for (const m of built.messages) expect(m.content).not.toMatch(/function \w*\(\) \{ \[native code\]/);
          }
        }
      }),
      opts(1500),
    );
    // the generator is worth something only if it makes templates that load
    expect(accepted).toBeGreaterThan(opts(1500).numRuns / 20);
  });
});

describe('cache entries: a tampered entry is a miss, never a value of the wrong shape', () => {
  const dir = tempDir('digest-prop-cache-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cache = createCache(dir);

  const usage = { promptTokens: 10, completionTokens: 20, cachedTokens: 0 };
  const GOOD: Record<string, unknown> = {
    answers: { text: '中文答案。', finishReason: 'stop', usage },
    llm: { text: '正文', titleZh: '标题', pairs: [{ question: '问？', answer: '答。' }], problems: [] },
    meta: makePaper({
      id: '2404.16418',
      links: { abs: 'https://arxiv.org/abs/2404.16418', pdf: 'https://arxiv.org/pdf/2404.16418' },
    }),
    latest: { version: 2, at: 1 },
    fulltext: { source: 'html', sections: [{ heading: 'Intro', text: 'x' }], figures: [] },
    embeddings: [0.1, 0.2],
    overview: { text: '概述', problems: [] },
    listing: { titleZh: '标题', summary: '一句话。' },
    rank: { score: 3, reason: 'r' },
    'batch-requests': { batch: 'batch_1' },
    'not-a-namespace': { anything: 1 },
  };
  const NS = Object.keys(GOOD);

  /** Replace (or add, or delete) one field somewhere in a value, with any JSON or a built-in name. */
  const mutate = (v: unknown): fc.Arbitrary<unknown> => {
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      return fc.oneof(
        fc
          .tuple(fc.constantFrom(...keys, ...BUILTINS), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)))
          .map(([k, x]) => {
            const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
            if (x === undefined) delete copy[k];
            else Object.defineProperty(copy, k, { value: x, enumerable: true, writable: true, configurable: true });
            return copy;
          }),
        keys.length
          ? fc.constantFrom(...keys).chain((k) =>
              mutate((v as Record<string, unknown>)[k]).map((x) => {
                const copy = JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
                copy[k] = x;
                return copy;
              }),
            )
          : fc.constant(v),
      );
    }
    return fc.jsonValue({ maxDepth: 1 });
  };

  const entry = fc.constantFrom(...NS).chain((ns) =>
    fc.record({
      ns: fc.constant(ns),
      key: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constant({ model: 'm', id: '2404.16418' })),
      value: fc.oneof(mutate(GOOD[ns]), fc.jsonValue({ maxDepth: 2 }), fc.constant(GOOD[ns])),
      how: fc.constantFrom('entry', 'entry', 'entry', 'other key', 'bare value', 'text'),
      text: anyText(20),
    }),
  );

  it("get returns undefined or a value of its namespace's shape, and never throws", async () => {
    await fc.assert(
      fc.asyncProperty(entry, async ({ ns, key, value, how, text }) => {
        await cache.set(ns, key, GOOD[ns]);
        const h = hashKey(key);
        const file = path.join(dir, ns, h.slice(0, 2), `${h}.json`);
        expect(readFileSync(file, 'utf8')).toContain('"key"'); // set wrote where the entry is read from
        const tampered =
          how === 'entry'
            ? `{"key":${JSON.stringify(JSON.stringify(key))},"value":${JSON.stringify(value) ?? 'null'}}`
            : how === 'other key'
              ? JSON.stringify({ key: JSON.stringify([key]), value: GOOD[ns] })
              : how === 'bare value'
                ? (JSON.stringify(value) ?? '')
                : text;
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, tampered);
        const got = await cache.get<unknown>(ns, key);
        if (got === undefined) return;
        expect(fits(ns, got)).toBe(true);
        // and, checked here apart from shapes.ts: what the pipeline reads first is there
        if (ns === 'answers' || ns === 'llm' || ns === 'overview') {
          const t = (got as { text: unknown }).text;
          expect(typeof t === 'string' && t.trim() !== '').toBe(true);
        }
        if (ns === 'meta') expect(typeof (got as { id: unknown }).id).toBe('string');
        if (ns === 'embeddings') expect(Array.isArray(got) && got.every((x) => typeof x === 'number')).toBe(true);
      }),
      opts(400),
    );
  });
});

describe('model answers: sanitizeModelMarkdown', () => {
  // ---- the checker, written apart from src/render/sanitize.ts ----

  const NAMED: Record<string, string> = {
    colon: ':',
    tab: '\t',
    newline: '\n',
    sol: '/',
    lpar: '(',
    rpar: ')',
    period: '.',
    amp: '&',
    lt: '<',
    gt: '>',
    quot: '"',
    apos: "'",
    percnt: '%',
    bsol: '\\',
    num: '#',
  };

  /** What a destination becomes when followed: \-escapes, entities, %-escapes undone (repeatedly), blanks gone. */
  function decodeDestination(dest: string): string {
    let d = dest.startsWith('<') && dest.endsWith('>') ? dest.slice(1, -1) : dest;
    for (let i = 0; i < 10; i++) {
      const before = d;
      d = d
        .replace(/\\([!-/:-@[-`{-~])/g, '$1')
        .replace(/&#[xX]([0-9a-fA-F]{1,8});?/g, (_, h: string) =>
          String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff)),
        )
        .replace(/&#([0-9]{1,10});?/g, (_, n: string) => String.fromCodePoint(Math.min(Number(n), 0x10ffff)))
        .replace(/&([A-Za-z]+);/g, (m, name: string) => NAMED[name.toLowerCase()] ?? m)
        .replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      if (d === before) break;
    }
    return d.replace(/[\p{Cc}\p{Cf}\s]/gu, '');
  }

  /** The Markdown outside fenced code blocks and code spans, as a CommonMark renderer splits them. */
  function outsideCode(md: string): string {
    const kept: string[] = [];
    let fence: { ch: string; n: number } | undefined;
    for (const line of md.split('\n')) {
      if (fence) {
        const close = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
        if (close && close[1]![0] === fence.ch && close[1]!.length >= fence.n) fence = undefined;
        continue;
      }
      const open = /^ {0,3}(`{3,}(?=[^`]*$)|~{3,})/.exec(line);
      if (open) {
        fence = { ch: open[1]![0]!, n: open[1]!.length };
        kept.push(''); // a fence ends the paragraph before it: no code span reaches across it
        continue;
      }
      kept.push(line);
    }
    // code spans within each paragraph: a run of n backticks to the next run of exactly n
    return kept
      .join('\n')
      .split(/\n[ \t]*\n/)
      .map((para) => {
        let out = '';
        let i = 0;
        while (i < para.length) {
          const c = para[i]!;
          if (c === '\\' && i + 1 < para.length && /[!-/:-@[-`{-~]/.test(para[i + 1]!)) {
            out += para.slice(i, i + 2);
            i += 2;
            continue;
          }
          if (c !== '`') {
            out += c;
            i++;
            continue;
          }
          let n = 0;
          while (para[i + n] === '`') n++;
          let j = i + n;
          let closeAt = -1;
          while (j < para.length) {
            if (para[j] !== '`') {
              j++;
              continue;
            }
            let m = 0;
            while (para[j + m] === '`') m++;
            if (m === n) {
              closeAt = j;
              break;
            }
            j += m;
          }
          if (closeAt < 0) {
            out += '`'.repeat(n);
            i += n;
          } else {
            out += ' CODE ';
            i = closeAt + n;
          }
        }
        return out;
      })
      .join('\n\n');
  }

  /** Link destinations outside code: inline links and images, reference definitions. */
  function destinations(md: string): string[] {
    const text = outsideCode(md);
    return [
      ...[...text.matchAll(/\]\([ \t]*\n?[ \t]*(<[^>\n]*>|[^\s]+)/g)].map((m) => m[1]!),
      ...[...text.matchAll(/^ {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)/gm)].map((m) => m[1]!),
    ];
  }

  const schemeOf = (dest: string) => /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(decodeDestination(dest))?.[1]?.toLowerCase();
  const SAFE = new Set(['http', 'https', 'mailto']);

  it('the checker sees what it must (checked on known spellings)', () => {
    const out = (md: string) => destinations(md).map(schemeOf);
    expect(out('[x](&#106;avascript:alert(5))')).toEqual(['javascript']);
    expect(out('[x](java&Tab;script&colon;x) ![i](<%64ata:x>)')).toEqual(['javascript', 'data']);
    expect(out('[r]:\n  JaVa&#x73;cript\\:x')).toEqual(['javascript']);
    expect(out('`[x](javascript:x)` and\n```\n[y](file:x)\n```\n[z](https://a.b)')).toEqual(['https']);
    expect(outsideCode('``a`b`` <b> `c`')).toBe(' CODE  <b>  CODE ');
    expect(outsideCode('\\`<script>`')).toBe('\\`<script>`');
  });

  // ---- the generators ----

  const SCHEMES = ['javascript', 'data', 'vbscript', 'file', 'http', 'https', 'mailto', 'ftp', 'jar'];
  /** One character of a scheme, spelled as a renderer or a browser would still read it. */
  const spellChar = (ch: string): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(ch.toLowerCase(), ch.toUpperCase()) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }).map((z) => `&#${'0'.repeat(z)}${ch.charCodeAt(0)};`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('x', 'X').map((x) => `&#${x}${ch.charCodeAt(0).toString(16)};`),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
          `%${ch.charCodeAt(0).toString(16)}`,
        ),
      },
      { weight: 1, arbitrary: fc.constant(`&#${ch.charCodeAt(0)}`) }, // no semicolon
    );
  const blank = fc.constantFrom(
    '\t',
    '&#9;',
    '&Tab;',
    '&NewLine;',
    '&#x0A;',
    '\u00ad',
    '\u200b',
    '\ufeff',
    '\u0001',
    '%09',
  );
  const colon = fc.constantFrom(':', ':', '&colon;', '&#58;', '&#x3A;', '%3A', '%3a', '\\:', '&#0058;');
  const scheme = fc
    .tuple(fc.constantFrom(...SCHEMES), fc.array(fc.tuple(fc.nat(), blank), { maxLength: 2 }), fc.boolean())
    .chain(([name, blanks, twice]) =>
      fc.tuple(fc.tuple(...[...name].map(spellChar)), colon).map(([chars, c]) => {
        const parts = [...chars];
        for (const [at, b] of blanks) parts.splice(at % (parts.length + 1), 0, b);
        let s = parts.join('') + c;
        // encoded twice: the & (or %) of the first entity is itself an entity
        if (twice) s = s.replace(/^&/, '&amp;').replace(/^%/, '%25');
        return s;
      }),
    );
  const rest = fc.constantFrom('alert(1)', '//evil.example/x', 'text/html;base64,PHNjcmlwdD4=', '', 'a@b.org');
  const dest = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(scheme, rest).map(([a, b]) => a + b) },
    { weight: 1, arbitrary: fc.constantFrom('../post/', '#sec', 'https://arxiv.org/abs/2404.16418', 'x y') },
  );
  const link = fc.oneof(
    dest.map((d) => `[t](${d})`),
    dest.map((d) => `[t](<${d}>)`),
    dest.map((d) => `[t]( ${d} "title")`),
    dest.map((d) => `![i](${d})`),
    dest.map((d) => `[t](\n${d})`),
    dest.map((d) => `[t][r]\n\n[r]: ${d}`),
    dest.map((d) => `[t][r]\n\n   [r]: <${d}>`),
    dest.map((d) => `[t][r]\n\n[r]:\n${d}`),
    dest.map((d) => `[a [b] c](${d})`),
    dest.map((d) => `<${d}>`),
    dest.map((d) => `<a href="${d}">x</a>`),
  );
  const prose = fc.constantFrom(
    '正文。',
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<IMG SRC=x OnError=alert(1)>',
    '<svg/onload=alert(1)>',
    '</p>',
    '<!-- c -->',
    '&lt;',
    '# 标题',
    '#',
    '####',
    '> 引用',
    '    缩进',
    '- 项',
    '*强调*',
    '~~~\n',
  );
  /** Code as a model writes it: spans closed on the same line, fences at the start of a line and closed. */
  const code = fc.constantFrom(
    '`code`',
    '`<b>x</b>`',
    '`[x](javascript:x)`',
    '\n```\n<b>x</b>\n```\n',
    '\n```js\n[x](data:x)\n```\n',
  );
  /** Backticks as CommonMark reads them but the code splitter does not (see the known gap below). */
  const strayBackticks = fc.constantFrom('``a`b``', '\\`', '`', '``', '```', '```\n', '\n```\n');
  const noise = (stray: boolean) =>
    fc.oneof(
      prose,
      code,
      anyText(6).map((t) => t.replace(/[`\\]/g, '')),
      ...(stray ? [strayBackticks, strayBackticks] : []),
    );
  const answer = (stray: boolean) =>
    fc
      .array(fc.tuple(fc.oneof(link, noise(stray), noise(stray)), fc.constantFrom('', ' ', '\n', '\n\n', '\r\n')), {
        minLength: 1,
        maxLength: 8,
      })
      .map((xs) => xs.map(([a, b]) => a + b).join(''));

  /** The first link outside code that leads to a script-capable scheme, or raw HTML outside code. */
  function unsafe(out: string): string | undefined {
    for (const d of destinations(out)) {
      const s = schemeOf(d);
      if (s !== undefined && !SAFE.has(s)) return `link to ${s}: ${JSON.stringify(d)}`;
    }
    const tag = /<[A-Za-z!?/][^\n]{0,30}/.exec(outsideCode(out));
    return tag ? `raw HTML outside code: ${JSON.stringify(tag[0])}` : undefined;
  }

  it('no link outside code leads anywhere but http, https, mailto or a relative place; no raw HTML survives', () => {
    fc.assert(
      fc.property(answer(false), (md) => {
        const out = sanitizeModelMarkdown(md);
        // as written: a section's body (demoted under its ##) and a Q&A answer (flattened under its ###)
        const found = unsafe(out) ?? unsafe(demoteHeadings(out)) ?? unsafe(flattenHeadings(out));
        if (found) throw new Error(found);
      }),
      opts(3000),
    );
  });

  // Stray backticks: "正文。```\n<img src=x onerror=alert(1)>", \` before a span, a single backtick inside a
  // `` run. The sanitizer's splitter once took these for code and left them raw; it now finds code as
  // CommonMark does (fences at the start of a line, spans of equal runs within a paragraph).
  it('stray backticks: what the splitter wrongly takes for code keeps its raw HTML and script links', () => {
    fc.assert(
      fc.property(answer(true), (md) => {
        const out = sanitizeModelMarkdown(md);
        // as written: a section's body (demoted under its ##) and a Q&A answer (flattened under its ###)
        const found = unsafe(out) ?? unsafe(demoteHeadings(out)) ?? unsafe(flattenHeadings(out));
        if (found) throw new Error(found);
      }),
      opts(500),
    );
  });
});
