import type { DeploymentTarget } from '../routing/routing-table.js';
import { requireApiKey } from './openai-compatible/openai-compatible.adapter.js';

/**
 * The environment variables LiteLLM falls back to when a deployment sets no api_key, for the
 * providers whose adapters live here (LiteLLM reads COHERE_API_KEY, then CO_API_KEY, the Cohere
 * SDK's own name; VOYAGE_API_KEY for Voyage). Read once, when the adapter is built, never per
 * request. When a catalog-wide default-key field lands (another branch), these rows move there.
 */
const DEFAULT_KEY_ENV: Readonly<Record<string, readonly string[]>> = {
  cohere: ['COHERE_API_KEY', 'CO_API_KEY'],
  cohere_chat: ['COHERE_API_KEY', 'CO_API_KEY'],
  voyage: ['VOYAGE_API_KEY'],
};

export function defaultApiKey(provider: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of DEFAULT_KEY_ENV[provider] ?? []) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}

/**
 * The key to send: the deployment's own, else the environment default, but only towards the
 * provider's own host. A deployment with an api_base of its own never gets the default key (a
 * credential goes only where the config sent it), and one whose api_key names an unset variable
 * fails as such rather than quietly using another key.
 */
export function keyFor(target: DeploymentTarget, envKey: string | undefined): string {
  const configured = requireApiKey(target, false);
  if (configured) return configured;
  if (envKey && target.deployment.apiBase === undefined) return envKey;
  return requireApiKey(target, true)!;
}
