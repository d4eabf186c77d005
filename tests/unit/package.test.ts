/** What `npm pack` would publish: the CLI, its prompts and the built code, never the fakes, the demo or tests. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the published package', () => {
  it('holds bin, dist and prompts, and no test code', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('bin/digest.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('prompts/post.md');
    expect(files.filter((f) => /(^|\/)(tests?|testing|fakes?|dev|fixtures)(\/|$)|fake-|bench|demo/.test(f))).toEqual(
      [],
    );
  });
});
