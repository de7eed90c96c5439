import { readdirSync, readFileSync } from 'node:fs';

/** Loads every golden file of one translation direction as [file name, parsed JSON] pairs, for it.each. */
export function goldenCases<T>(direction: 'request' | 'response' | 'stream'): [string, T][] {
  const dir = new URL(`./golden/${direction}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as T]);
}
