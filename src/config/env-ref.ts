const PREFIX = 'os.environ/';

/** An `os.environ/NAME` reference: names where a credential comes from, and is not one. */
export function isEnvRef(value: string): boolean {
  return value.startsWith(PREFIX);
}

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

/** Every `os.environ/NAME` reference in `input`, at any depth, with its path (`litellm_params.api_key`). */
export function findEnvRefs(input: unknown, prefix = ''): { path: string; name: string }[] {
  const found: { path: string; name: string }[] = [];
  const walk = (node: unknown, path: string): void => {
    const name = envRefName(node);
    if (name !== undefined) found.push({ path, name });
    else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
    }
  };
  walk(input, prefix);
  return found;
}

/** The variables a config file names, split by what they configure. */
export interface EnvRefNames {
  /** Named inside model_list entries: provider credentials and endpoints. */
  readonly models: readonly string[];
  /** Named anywhere else (master_key, database_url, ...): the gateway's own secrets. */
  readonly gateway: readonly string[];
}

export function envRefNames(raw: Record<string, unknown>): EnvRefNames {
  const models = new Set<string>();
  const gateway = new Set<string>();
  for (const ref of findEnvRefs(raw)) (ref.path.startsWith('model_list[') ? models : gateway).add(ref.name);
  return { models: [...models], gateway: [...gateway] };
}
