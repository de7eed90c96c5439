import { readdirSync, readFileSync } from 'node:fs';

/** Loads every golden file in a directory as [file name, parsed JSON] pairs, for it.each. */
export function goldenCases<T>(dir: URL): [string, T][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as T]);
}
