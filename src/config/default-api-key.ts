import { providerInfo } from '../providers/provider-catalog.js';
import { inferProvider } from '../providers/provider-inference.js';
import type { DeploymentConfig } from './config.types.js';

/**
 * LiteLLM reads a provider's key from the environment (OPENAI_API_KEY, GROQ_API_KEY, ...) when a
 * deployment sets no api_key. Switchboard does the same, from the catalog's `apiKeyEnv`, with one
 * rule LiteLLM lacks: only when the deployment also sets no api_base. A deployment with its own
 * api_base is some other server, and a provider's key must never reach a host the config did not
 * name (issue 17.3). `rawParams` is the entry as written, before `os.environ/` resolution, so an
 * api_base whose variable is unset still counts as set.
 */
export function defaultApiKeyFor(rawParams: Record<string, unknown>, env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  if (isSet(rawParams.api_key) || isSet(rawParams.api_base)) return undefined;
  const provider = providerOf(rawParams);
  const names = provider ? providerInfo(provider)?.apiKeyEnv : undefined;
  for (const name of names ?? []) {
    const value = env[name];
    if (value) return { name, value };
  }
  return undefined;
}

/** The deployment with its provider's default key applied, and the start-up notice saying so. */
export function withDefaultApiKey(
  d: DeploymentConfig,
  rawParams: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  path: string,
  warnings: string[],
): DeploymentConfig {
  const found = defaultApiKeyFor(rawParams, env);
  if (!found) return d;
  warnings.push(`${path}.litellm_params.api_key: not set; using ${found.name} from the environment, as LiteLLM does`);
  return { ...d, apiKey: found.value };
}

/**
 * The provider a deployment names without resolving it: custom_llm_provider, the prefix, or the
 * inferred family. A wildcard prefix (`*`) is decided per request, and gets no default key.
 */
function providerOf(params: Record<string, unknown>): string | undefined {
  if (typeof params.custom_llm_provider === 'string' && params.custom_llm_provider) return params.custom_llm_provider;
  if (typeof params.model !== 'string') return undefined;
  const slash = params.model.indexOf('/');
  const provider = slash < 0 ? inferProvider(params.model) : params.model.slice(0, slash);
  return provider && !provider.includes('*') ? provider : undefined;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
