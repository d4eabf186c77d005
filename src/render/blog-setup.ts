/**
 * What `digest init <engine>` writes into a blog: digest.config.json, a GitHub Actions workflow that
 * runs the daily digest and commits it, and the engine settings for math and the digest page.
 */
import { stringify } from 'yaml';
import type { ProviderPreset } from '../llm/providers.js';
import { POSTS_FOLDER, type SiteName } from './site.js';

export type Engine = Exclude<SiteName, 'plain'>;

export interface BlogSetup {
  engine: Engine;
  provider: ProviderPreset;
  categories: string[];
  /** owner/name of the arxiv-digest repository the workflow checks out. */
  toolRepo: string;
}

export function configFile(o: BlogSetup): string {
  const config = {
    '//': `written by digest init ${o.engine}; every key is explained in arxiv-digest's README (Configuration file)`,
    site: o.engine,
    output: POSTS_FOLDER[o.engine],
    categories: o.categories,
    provider: o.provider.name,
    model: o.provider.model,
    kinds: ['post', 'qa'],
    slug: 'id',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The workflow: Monday to Friday at 05:30 UTC (arXiv rebuilds its feeds at midnight US Eastern, 04:00 or
 * 05:00 UTC), the answers cache kept between runs, the key from a repository secret, one commit a day.
 */
export function workflowFile(o: BlogSetup): string {
  const folder = POSTS_FOLDER[o.engine];
  const workflow = {
    name: 'arxiv-digest',
    on: { schedule: [{ cron: '30 5 * * 1-5' }], workflow_dispatch: {} },
    permissions: { contents: 'write' },
    concurrency: { group: 'arxiv-digest', 'cancel-in-progress': false },
    jobs: {
      digest: {
        'runs-on': 'ubuntu-latest',
        'timeout-minutes': 120,
        steps: [
          { uses: 'actions/checkout@v4' },
          { uses: 'actions/checkout@v4', with: { repository: o.toolRepo, path: '.arxiv-digest' } },
          { uses: 'actions/setup-node@v4', with: { 'node-version': 20 } },
          {
            name: 'keep the paid answers between runs',
            uses: 'actions/cache@v4',
            with: {
              path: '~/.cache/arxiv-digest',
              key: 'arxiv-digest-${{ github.run_id }}',
              'restore-keys': 'arxiv-digest-',
            },
          },
          {
            name: 'install arxiv-digest (npm ci builds it)',
            run: 'npm ci --no-audit --no-fund',
            'working-directory': '.arxiv-digest',
          },
          {
            name: 'write the day',
            run: 'node .arxiv-digest/bin/digest.js daily',
            env: { [o.provider.keyEnv]: `\${{ secrets.${o.provider.keyEnv} }}` },
          },
          {
            name: 'commit',
            run: [
              'git config user.name "arxiv-digest"',
              'git config user.email "arxiv-digest@users.noreply.github.com"',
              `git add ${folder} ${assetFolder(o.engine)}`.trim(),
              'git diff --cached --quiet || { git commit -m "arXiv digest $(date -u +%F)" && git push; }',
            ].join('\n'),
          },
        ],
      },
    },
  };
  return `# written by digest init ${o.engine}: set the repository secret ${o.provider.keyEnv}, then push\n${stringify(workflow, { lineWidth: 0 })}`;
}

function assetFolder(engine: Engine): string {
  return { hugo: '', hexo: 'source/images/arxiv', jekyll: 'assets/arxiv' }[engine];
}

/** What to add to the engine's own settings so formulas render and the digest page is found (printed by digest init). */
export function engineNotes(engine: Engine): string {
  return `${mathNotes(engine)}\n${PAGE_NOTES[engine]}`;
}

const PAGE_NOTES: Record<Engine, string> = {
  hugo: `The digest page is a post like the others (content/posts/<date>-<categories>.md, tag 每日速递): list the
tag at /tags/每日速递/, or add it to the menu in hugo.toml: [[menus.main]] name = "arXiv 速递" url = "/tags/每日速递/".`,
  hexo: `The digest page is a post like the others (source/_posts/<date>-<categories>.md, tag 每日速递); its links use
{% post_link %}, so keep Nunjucks on (the default). The tag page is /tags/每日速递/ with hexo-generator-tag.`,
  jekyll: `The digest page is a post like the others (_posts/<date>-<categories>.md, tag 每日速递); its links use
{% post_url %}, so it is rendered with Liquid, while the posts say render_with_liquid: false.`,
};

function mathNotes(engine: Engine): string {
  const mathjax$ = `<script>window.MathJax = { tex: { inlineMath: [['$', '$'], ['\\\\(', '\\\\)']] } };</script>
<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>`;
  switch (engine) {
    case 'hugo':
      return `Hugo: posts go to content/posts (page bundles with --download-figures).
Math: load MathJax on pages whose front matter says math: true, e.g. in layouts/partials/head.html:
{{ if .Params.math }}
${mathjax$}
{{ end }}`;
    case 'hexo':
      return `Hexo: posts go to source/_posts; figures to source/images/arxiv.
Math: a theme that reads mathjax: true (NexT: math.mathjax.enable: true, math.per_page: true) or, with
another theme, this in the post layout:
${mathjax$}`;
    case 'jekyll':
      return `Jekyll: posts go to _posts; figures to assets/arxiv. kramdown's default math_engine (mathjax)
writes \\( \\) and \\[ \\]; load MathJax with its default delimiters in _layouts/post.html:
<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>`;
  }
}
