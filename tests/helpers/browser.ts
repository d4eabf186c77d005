/**
 * A built site served on 127.0.0.1 (with MathJax from node_modules at /mathjax/) and Debian's headless
 * Chromium: the DOM after the page's scripts ran, and a screenshot.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from '../fakes/root.js';
import { tempDir } from './cli.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.woff': 'font/woff',
  '.png': 'image/png',
};

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export async function serveSite(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const mathjax = path.join(ROOT, 'node_modules/mathjax/es5');
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const base = url.startsWith('/mathjax/') ? mathjax : dir;
    let file = path.join(base, url.startsWith('/mathjax/') ? url.slice('/mathjax/'.length) : url);
    if (!file.startsWith(base)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function chromium(args: string[]): Promise<string> {
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${tempDir('digest-chromium-')}`,
    '--virtual-time-budget=10000',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM!, [...flags, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`chromium exited ${code}`));
    });
  });
}

/** The page's DOM once its scripts (MathJax) have run. */
export const renderedDom = (url: string) => chromium(['--dump-dom', url]);

/** A screenshot of the page, kept as a build artifact (not in the repository). */
export async function screenshot(url: string, name: string): Promise<string> {
  const dir = path.join(ROOT, '.ci-report/screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await chromium([`--screenshot=${file}`, '--window-size=1000,1600', '--hide-scrollbars', url]);
  return file;
}
