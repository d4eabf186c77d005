/**
 * arXiv's category taxonomy (https://arxiv.org/category_taxonomy, 2026), with the archives whose feeds
 * list all their categories (rss.arxiv.org/rss/cs). A category arXiv does not have is refused before any
 * request by name, instead of asking the feed and reading its error as arXiv being late.
 */
const GROUPS: Record<string, string> = {
  cs: 'AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH OS PF PL RO SC SD SE SI SY',
  econ: 'EM GN TH',
  eess: 'AS IV SP SY',
  math: 'AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST',
  'astro-ph': 'CO EP GA HE IM SR',
  'cond-mat': 'dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con',
  nlin: 'AO CD CG PS SI',
  physics:
    'acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph',
  'q-bio': 'BM CB GN MN NC OT PE QM SC TO',
  'q-fin': 'CP EC GN MF PM PR RM ST TR',
  stat: 'AP CO ME ML OT TH',
};
/** Archives without subcategories. */
const SINGLE = ['gr-qc', 'hep-ex', 'hep-lat', 'hep-ph', 'hep-th', 'math-ph', 'nucl-ex', 'nucl-th', 'quant-ph'];

export const CATEGORIES = new Set([
  ...SINGLE,
  ...Object.keys(GROUPS),
  ...Object.entries(GROUPS).flatMap(([archive, subs]) => subs.split(' ').map((c) => `${archive}.${c}`)),
]);

/** Known categories of the same archive, as a hint for one arXiv does not have. */
export function nearCategories(c: string): string[] {
  const archive = c.split('.')[0]!;
  return [...CATEGORIES].filter((k) => k.startsWith(`${archive}.`)).slice(0, 12);
}
