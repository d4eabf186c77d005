/** Run the built CLI as a child process with an isolated environment. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/digest.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = 'digest-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Only what the test gives, plus PATH and a throwaway HOME: no real keys or proxies leak in. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const home = tempDir('digest-home-');
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    NO_PROXY: '127.0.0.1,localhost',
    SOURCE_DATE_EPOCH: '1763800000',
    ...extra,
  };
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  opts: { stdin?: string; cwd?: string; onSpawn?: (kill: (sig: NodeJS.Signals) => void) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env,
      cwd: opts.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    opts.onSpawn?.((sig) => child.kill(sig));
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}
