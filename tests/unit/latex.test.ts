import { describe, expect, it } from 'vitest';
import { cleanAbstract, cleanAuthorName, cleanTitle, latexToMarkdown } from '../../src/arxiv/latex.js';

const table: Array<[string, string]> = [
  ['leveraging instruction information \\textit{alone} enables', 'leveraging instruction information *alone* enables'],
  ['the \\emph{oracle problem}', 'the *oracle problem*'],
  ['a \\textbf{bold} claim', 'a **bold** claim'],
  ['{\\em emphasised} text', '*emphasised* text'],
  ['code \\texttt{foo\\_bar}', 'code `foo_bar`'],
  ['Landauer-B\\"uttiker probe', 'Landauer-Büttiker probe'],
  ['J{\\"o}rg and J\\"org', 'Jörg and Jörg'],
  ["Andr\\'e and Andr{\\'e}", 'André and André'],
  ['Pi\\v{z}urica', 'Pižurica'],
  ['Jakub\\r{u}v', 'Jakubův'],
  ['Kra{\\ss}', 'Kraß'],
  ['S{\\o}gaard', 'Søgaard'],
  ['Fran\\c{c}ois', 'François'],
  ['Espa\\~na', 'España'],
  ['only 25\\% of it', 'only 25% of it'],
  ['Gould \\& Morgan', 'Gould & Morgan'],
  ['i.i.d.\\ samples', 'i.i.d. samples'],
  ['3--5 day periods', '3–5 day periods'],
  ["``quoted'' words", '“quoted” words'],
  ['keep $x^2 + y^2 = z^2$ as math', 'keep $x^2 + y^2 = z^2$ as math'],
  ['display $$E = mc^2$$ math', 'display $$E = mc^2$$ math'],
  ['inline \\(a+b\\) form', 'inline $a+b$ form'],
  ['awarded $35,000 in total', 'awarded \\$35,000 in total'],
  ['between $5 and $10 each', 'between \\$5 and \\$10 each'],
  ['$\\tildeΘ(\\sqrt{\\log N})$ bound', '$\\tilde Θ(\\sqrt{\\log N})$ bound'],
  ['at most $α$ and $β$', 'at most $α$ and $β$'],
  ['is (1/310)(1^{+1.39}_{-0.59}) for HJs', 'is (1/310)($1^{+1.39}_{-0.59}$) for HJs'],
  ['value 0.30 \\pm 0.04 here', 'value 0.30 $\\pm$ 0.04 here'],
  ['see \\url{https://x.org/a}', 'see <https://x.org/a>'],
  ['see \\href{https://x.org}{our site}', 'see [our site](https://x.org)'],
  ['an \\unknowncommand{kept text} stays readable', 'an kept text stays readable'],
  ['a <script>alert(1)</script> trick', 'a &lt;script>alert(1)&lt;/script> trick'],
  ['V_max<17.5 limit', 'V_max<17.5 limit'],
];

describe('latexToMarkdown', () => {
  it.each(table)('%j', (input, expected) => {
    expect(latexToMarkdown(input)).toBe(expected);
  });

  it('leaves no raw TeX command outside math', () => {
    const samples = table.map(([i]) => latexToMarkdown(i));
    for (const s of samples) {
      const outside = s.replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$/g, '').replace(/\\\$/g, '');
      expect(outside, s).not.toMatch(/\\[A-Za-z]+/);
    }
  });
});

describe('titles, abstracts and names', () => {
  it('joins folded title lines', () => {
    expect(cleanTitle('Asymptotic Analysis for a Nonlinear\n  Reaction-Diffusion System')).toBe(
      'Asymptotic Analysis for a Nonlinear Reaction-Diffusion System',
    );
  });
  it('keeps the title "0" as text', () => {
    expect(cleanTitle('0')).toBe('0');
  });
  it('keeps paragraph breaks (newline + indent) and joins wrapped lines', () => {
    const raw = '  First line of the\nfirst paragraph.\n  Second paragraph\nwraps here.\n';
    expect(cleanAbstract(raw)).toBe('First line of the first paragraph.\n\nSecond paragraph wraps here.');
  });
  it('turns TeX accents in author names into letters', () => {
    expect(cleanAuthorName("Paulo Andr\\'e Lima de Castro")).toBe('Paulo André Lima de Castro');
  });
});
