import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPort } from './assertions.js';

/** The repository root: the built CLI is run from here, as `npm start` does. */
// import.meta.dirname is not provided by Jest 29's ESM runtime.
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');

/** Provider key variables a developer machine may have set; the CLI tests must not see them. */
const PROVIDER_ENV = /(_API_KEY|_API_BASE|^MASTER_KEY|^SWITCHBOARD_|^PORT$|^CONFIG_PATH$|^HOST$|^DATABASE_URL$|^REDIS_URL$)/;

/** The parent environment without provider keys or gateway settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PROVIDER_ENV.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export function writeTempConfig(yaml: string, name = 'config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-'));
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (signal exits give null). */
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Runs `node dist/main.js <args>` with the given environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), cwd = ROOT): CliRun {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A free loopback port, for CLI runs that need to be told one. */
export const freePort = closedPort;

/** Polls the liveliness probe until the gateway answers, or the process exits, or time runs out. */
export async function waitUntilServing(run: CliRun, url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`gateway exited before serving:\n${run.stdout()}\n${run.stderr()}`);
    try {
      const res = await fetch(`${url}/health/liveliness`);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gateway did not start in ${timeoutMs} ms:\n${run.stdout()}\n${run.stderr()}`);
}
