const PREFIX = 'os.environ/';

export interface EnvResolution<T> {
  value: T;
  /** Config paths whose `os.environ/NAME` reference named an unset variable, with the name. */
  missing: { path: string; name: string }[];
}

/**
 * Replaces every `os.environ/NAME` string, at any depth, by the variable's value.
 * Unset variables become `undefined` and are reported, so the caller decides whether
 * that is fatal (master_key) or a per-request error (a provider api_key).
 */
export function resolveEnvRefs<T>(input: T, env: NodeJS.ProcessEnv = process.env): EnvResolution<T> {
  const missing: { path: string; name: string }[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith(PREFIX)) return node;
      const name = node.slice(PREFIX.length).trim();
      const value = env[name];
      if (value === undefined || value === '') {
        missing.push({ path, name });
        return undefined;
      }
      return value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}[${i}]`));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, path ? `${path}.${key}` : key);
      return out;
    }
    return node;
  };
  return { value: walk(input, '') as T, missing };
}

export function envRefName(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(PREFIX) ? value.slice(PREFIX.length).trim() : undefined;
}
