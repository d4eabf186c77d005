import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** Package version, read on first use (not at import time). */
export function version(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}

export function userAgent(): string {
  return `arxiv-digest/${version()} (arXiv-to-Chinese blog CLI; Node.js ${process.version})`;
}
