import { ConfigError, ConfigIssue } from '../config/config-error.js';
import { AliasConfig, DeploymentConfig, GatewayConfig } from '../config/config.types.js';
import { knownProviders, providerInfo, ProviderInfo } from '../providers/provider-catalog.js';
import { inferProvider } from '../providers/provider-inference.js';
import { isLitellmProvider } from '../providers/litellm-providers.js';
import { suggestKey } from '../config/key-suggestion.js';
import { bedrockConfigIssues, bedrockSettings } from '../providers/bedrock/bedrock-config.js';
import { vertexConfigIssues } from '../providers/vertex-ai/vertex-config.js';

/**
 * Everything a request needs to reach one deployment, already resolved: the provider prefix
 * is split off, wildcard captures are substituted, the api base defaulted. Adapters get this
 * and never look at litellm_params.model themselves.
 */
export interface DeploymentTarget {
  readonly group: string;
  readonly deploymentId: string;
  readonly provider: string;
  readonly upstreamModel: string;
  readonly apiBase: string;
  readonly credentials: {
    readonly apiKey?: string;
    /** The env variable the api_key should have come from, when it was unset. */
    readonly apiKeyMissingEnv?: string;
    readonly apiVersion?: string;
    readonly organization?: string;
  };
  readonly settings: {
    readonly extraHeaders: Readonly<Record<string, string>>;
    readonly timeoutMs?: number;
    readonly streamTimeoutMs?: number;
    readonly maxRetries?: number;
    readonly rpm?: number;
    readonly tpm?: number;
    readonly weight?: number;
    readonly order?: number;
    readonly useChatForResponses: boolean;
    /** Effective drop_params: the deployment's setting, else litellm_settings.drop_params. */
    readonly dropParams?: boolean;
    readonly modelInfo: Readonly<Record<string, unknown>>;
  };
  readonly deployment: DeploymentConfig;
}

export interface CompiledWildcard {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly deployments: readonly DeploymentConfig[];
}

/** `unsupported`: a provider LiteLLM has and Switchboard does not (reported together, see unsupportedProvidersIssue). */
export type ProviderSplit = { provider: string; upstreamModel: string; info: ProviderInfo } | { error: string; unsupported?: string; inferredFrom?: string };

/**
 * `openrouter/openai/gpt-4o` → provider `openrouter`, upstream id `openai/gpt-4o`. With no
 * prefix the provider is inferred from the model family as LiteLLM does (claude-* → anthropic);
 * an id of no known family is sent to the api_base as OpenAI-compatible, and without an
 * api_base it is an error: guessing would send the key to a host the config never named.
 */
export function splitProvider(model: string, customProvider?: string, apiBase?: string): ProviderSplit {
  if (customProvider) {
    const info = providerInfo(customProvider);
    return info ? { provider: customProvider, upstreamModel: model, info } : unknownProvider(customProvider);
  }
  const slash = model.indexOf('/');
  if (slash < 0) {
    const inferred = inferProvider(model);
    if (inferred === undefined) {
      if (apiBase) return { provider: 'openai', upstreamModel: model, info: providerInfo('openai')! };
      return { error: `'${model}' has no provider prefix and is not a model family the gateway recognises: add a provider prefix such as openai/${model} (or hosted_vllm/${model} with an api_base)` };
    }
    const info = providerInfo(inferred);
    if (!info) return { error: `'${model}' is a ${inferred} model, and provider '${inferred}' is not supported (known: ${knownProviders().join(', ')})`, unsupported: inferred, inferredFrom: model };
    return { provider: inferred, upstreamModel: model, info };
  }
  const prefix = model.slice(0, slash);
  const info = providerInfo(prefix);
  if (!info) return unknownProvider(prefix);
  const upstreamModel = model.slice(slash + 1);
  if (!upstreamModel) return { error: `no model id after the provider prefix '${prefix}/'` };
  return { provider: prefix, upstreamModel, info };
}

/** Stands in for an api_base whose variable is unset; never dialled (see requireApiKey). */
const UNSET_BASE = 'http://unset.invalid';

function unknownProvider(prefix: string): { error: string; unsupported?: string } {
  if (isLitellmProvider(prefix)) return { error: `provider '${prefix}' is not supported by Switchboard (see README 'Moving from LiteLLM')`, unsupported: prefix };
  const guess = suggestKey(prefix, knownProviders());
  return { error: `unknown provider '${prefix}'${guess ? ` (did you mean '${guess}'?)` : ''} (known: ${knownProviders().join(', ')})` };
}

/**
 * Every LiteLLM provider the config names that Switchboard lacks, in one message: a team moving
 * over learns the whole list in one run, not one entry per attempt.
 */
function unsupportedProvidersIssue(found: readonly { provider: string; path: string }[]): ConfigIssue[] {
  if (found.length === 0) return [];
  const byProvider = new Map<string, string[]>();
  for (const f of found) byProvider.set(f.provider, [...(byProvider.get(f.provider) ?? []), f.path]);
  const list = [...byProvider].map(([provider, paths]) => `${provider} (${paths.join(', ')})`).join(', ');
  return [{ path: '', message: `unsupported providers: ${list} — see README 'Moving from LiteLLM'` }];
}

/**
 * The precompiled lookup structure behind ModelResolutionService. Immutable: a config change
 * builds a new table and swaps it in whole, so a request never sees half an update.
 */
export class RoutingTable {
  private constructor(
    readonly config: GatewayConfig,
    private readonly groups: ReadonlyMap<string, readonly DeploymentTarget[]>,
    private readonly aliases: ReadonlyMap<string, AliasConfig>,
    private readonly wildcards: readonly CompiledWildcard[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static compile(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): RoutingTable {
    const { table, issues } = RoutingTable.analyze(config, env);
    if (issues.length) throw new ConfigError(issues);
    return table;
  }

  /**
   * The table and every whole-config problem, without throwing: `check` reports all of them
   * and still looks at the wildcards. A table with issues must never be served.
   */
  /** `env`: where providers' settings from the environment (AWS_REGION, VERTEXAI_PROJECT) are looked up. */
  static analyze(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): { table: RoutingTable; issues: ConfigIssue[] } {
    const issues: ConfigIssue[] = [];
    const paths = deploymentPaths(config.models);
    const byName = new Map<string, DeploymentConfig[]>();
    const ids = new Map<string, string>();
    const unsupported: { provider: string; path: string }[] = [];
    config.models.forEach((d, i) => {
      const path = paths[i];
      const other = ids.get(d.id);
      if (other) issues.push({ path: `${path}.model_info.id`, message: `duplicate id '${d.id}' (also used by ${other})` });
      ids.set(d.id, path);
      issues.push(...checkDeployment(d, path, unsupported, env));
      const list = byName.get(d.modelName) ?? [];
      list.push(d);
      byName.set(d.modelName, list);
    });

    const groups = new Map<string, DeploymentTarget[]>();
    const wildcards: (CompiledWildcard & { index: number })[] = [];
    let index = 0;
    for (const [name, deployments] of byName) {
      if (name.includes('*')) {
        wildcards.push({ pattern: name, regex: wildcardRegex(name), deployments, index: index++ });
      } else {
        const targets: DeploymentTarget[] = [];
        for (const d of deployments) {
          const t = buildTarget(name, d, [], config.litellm.dropParams, env);
          if (!('error' in t)) targets.push(t);
        }
        groups.set(name, targets);
      }
    }
    wildcards.sort((a, b) => specificity(b.pattern) - specificity(a.pattern) || a.index - b.index);
    issues.push(...unsupportedProvidersIssue(unsupported));

    const aliases = new Map(Object.entries(config.aliases));
    const table = new RoutingTable(config, groups, aliases, wildcards, env);
    issues.push(...table.checkAliases(), ...table.checkFallbacks());
    return { table, issues };
  }

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  groupTargets(name: string): readonly DeploymentTarget[] | undefined {
    return this.groups.get(name);
  }

  alias(name: string): AliasConfig | undefined {
    return this.aliases.get(name);
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }

  aliasEntries(): [string, AliasConfig][] {
    return [...this.aliases.entries()];
  }

  wildcardPatterns(): readonly CompiledWildcard[] {
    return this.wildcards;
  }

  /** Most specific wildcard first; returns the group pattern and per-deployment targets with captures substituted. */
  matchWildcard(name: string): { pattern: string; captures: string[]; targets: DeploymentTarget[]; errors: string[] } | undefined {
    for (const w of this.wildcards) {
      const m = w.regex.exec(name);
      if (!m) continue;
      const captures = m.slice(1);
      const targets: DeploymentTarget[] = [];
      const errors: string[] = [];
      for (const d of w.deployments) {
        const t = buildTarget(w.pattern, d, captures, this.config.litellm.dropParams, this.env);
        if ('error' in t) errors.push(t.error);
        else targets.push(t);
      }
      return { pattern: w.pattern, captures, targets, errors };
    }
    return undefined;
  }

  /** Whether a name is servable (group, alias, or wildcard match) — used for alias/fallback validation. */
  isResolvable(name: string, seen: Set<string> = new Set()): boolean {
    if (this.groups.has(name)) return true;
    const alias = this.aliases.get(name);
    if (alias) {
      if (seen.has(name)) return false;
      seen.add(name);
      return this.isResolvable(alias.target, seen);
    }
    return this.wildcards.some((w) => w.regex.test(name));
  }

  private checkAliases(): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    // One cycle is one mistake: report it once, not once per alias on it.
    const inReportedCycle = new Set<string>();
    for (const [name, alias] of this.aliases) {
      const path = `router_settings.model_group_alias.${name}`;
      if (this.groups.has(name)) {
        issues.push({ path, message: `alias '${name}' has the same name as a model_name; remove one of them` });
        continue;
      }
      const chain = [name];
      let current = alias.target;
      let ok = true;
      while (this.aliases.has(current) && !this.groups.has(current)) {
        if (chain.includes(current)) {
          const members = chain.slice(chain.indexOf(current));
          if (!members.every((m) => inReportedCycle.has(m))) {
            issues.push({ path, message: `alias cycle: ${[...chain, current].join(' -> ')}` });
            members.forEach((m) => inReportedCycle.add(m));
          }
          ok = false;
          break;
        }
        chain.push(current);
        current = this.aliases.get(current)!.target;
      }
      if (ok && !this.groups.has(current) && !this.wildcards.some((w) => w.regex.test(current))) {
        issues.push({ path, message: `alias target '${alias.target}' is not a configured model_name or wildcard` });
      }
    }
    return issues;
  }

  private checkFallbacks(): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const check = (path: string, names: readonly string[]) => {
      for (const n of names) {
        if (!this.isResolvable(n)) issues.push({ path, message: `fallback '${n}' is not a configured model` });
      }
    };
    const r = this.config.router;
    const section = (key: string) => r.settingsFrom?.[key] ?? 'router_settings';
    for (const [group, list] of Object.entries(r.fallbacks)) check(`${section('fallbacks')}.fallbacks.${group}`, list);
    for (const [group, list] of Object.entries(r.contextWindowFallbacks)) {
      check(`${section('context_window_fallbacks')}.context_window_fallbacks.${group}`, list);
    }
    for (const [group, list] of Object.entries(r.contentPolicyFallbacks ?? {})) {
      check(`${section('content_policy_fallbacks')}.content_policy_fallbacks.${group}`, list);
    }
    check(`${section('default_fallbacks')}.default_fallbacks`, r.defaultFallbacks);
    return issues;
  }
}

function deploymentPaths(models: readonly DeploymentConfig[]): string[] {
  let fileIndex = 0;
  return models.map((d) => (d.source === 'file' ? `model_list[${fileIndex++}]` : `model '${d.id}'`));
}

function checkDeployment(d: DeploymentConfig, path: string, unsupported: { provider: string; path: string }[], env: NodeJS.ProcessEnv): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stars = (s: string) => s.split('*').length - 1;
  if (stars(d.model) > stars(d.modelName)) {
    issues.push({
      path: `${path}.litellm_params.model`,
      message: `uses ${stars(d.model)} '*' but model_name '${d.modelName}' captures only ${stars(d.modelName)}`,
    });
  }
  if (d.modelName.includes('**')) {
    issues.push({ path: `${path}.model_name`, message: "adjacent '*' wildcards are ambiguous" });
  }
  // A template that starts with a capture gets its provider at request time; anything else is checked now.
  if (d.customProvider || !d.model.split('/')[0].includes('*')) {
    // A deployment out of service for an unset variable is reported as such, not as the gaps it leaves.
    const split = splitProvider(d.model.replace(/\*/g, 'x'), d.customProvider, d.misconfigured ? UNSET_BASE : d.apiBase);
    if (d.misconfigured && !('error' in split)) {
      // nothing more to check: requests to it fail with its reason, before any upstream call
    } else if ('error' in split && split.unsupported) {
      unsupported.push({ provider: split.unsupported, path: split.inferredFrom ? `${path}, inferred from '${d.model}'` : path });
    } else if ('error' in split) {
      issues.push({ path: `${path}.litellm_params.${d.customProvider ? 'custom_llm_provider' : 'model'}`, message: split.error });
    } else {
      issues.push(...checkProviderRequirements(split.info, d, path));
      // Once per deployment (it may read a credentials file), never per request: not in buildTarget.
      if (split.info.family === 'vertex_ai') issues.push(...vertexConfigIssues(d, path, env));
      if (split.info.family === 'bedrock') issues.push(...bedrockConfigIssues(d, path, env));
    }
  }
  if (d.apiBase && !/^https?:\/\/[^\s]+$/i.test(d.apiBase)) {
    issues.push({ path: `${path}.litellm_params.api_base`, message: `must be an http(s) URL` });
  }
  return issues;
}

function checkProviderRequirements(info: ProviderInfo, d: DeploymentConfig, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!info.defaultApiBase && !d.apiBase) {
    issues.push({ path: `${path}.litellm_params.api_base`, message: `is required for provider '${info.name}'` });
  }
  if (info.requiresApiVersion && !d.apiVersion) {
    issues.push({ path: `${path}.litellm_params.api_version`, message: `is required for provider '${info.name}'` });
  }
  return issues;
}

function buildTarget(
  group: string,
  d: DeploymentConfig,
  captures: readonly string[],
  globalDropParams: boolean,
  env: NodeJS.ProcessEnv,
): DeploymentTarget | { error: string } {
  let model = d.model;
  if (captures.length && model.includes('*')) {
    let i = 0;
    model = model.replace(/\*/g, () => captures[Math.min(i++, captures.length - 1)]);
  }
  const split = splitProvider(model, d.customProvider, d.misconfigured ? UNSET_BASE : d.apiBase);
  if ('error' in split) return split;
  const missing = d.misconfigured ? [] : checkProviderRequirements(split.info, d, '');
  if (missing.length) return { error: `${missing[0].path.slice(1)} ${missing[0].message}` };
  // A misconfigured deployment is stopped by requireApiKey before any request is built.
  let apiBase = d.apiBase ?? split.info.defaultApiBase ?? UNSET_BASE;
  // LiteLLM configs point ollama at the server root; its OpenAI-compatible API lives under /v1.
  if ((split.provider === 'ollama' || split.provider === 'ollama_chat') && !/\/v1$/.test(apiBase)) apiBase = `${apiBase}/v1`;
  // Bedrock's host follows its region: shown (resolve, logs) as the adapter will call it.
  if (split.info.family === 'bedrock' && !d.misconfigured) apiBase = bedrockSettings(d, env).runtimeEndpoint;
  return {
    group,
    deploymentId: d.id,
    provider: split.provider,
    upstreamModel: split.upstreamModel,
    apiBase,
    credentials: {
      apiKey: d.apiKey,
      apiKeyMissingEnv: d.apiKeyMissingEnv,
      apiVersion: d.apiVersion ?? split.info.defaultApiVersion,
      organization: d.organization,
    },
    settings: {
      extraHeaders: d.extraHeaders,
      timeoutMs: d.timeoutMs,
      streamTimeoutMs: d.streamTimeoutMs,
      maxRetries: d.maxRetries,
      rpm: d.rpm,
      tpm: d.tpm,
      weight: d.weight,
      order: d.order,
      useChatForResponses: d.useChatForResponses,
      // The deployment's own drop_params wins; otherwise litellm_settings.drop_params applies.
      dropParams: d.dropParams ?? globalDropParams,
      modelInfo: d.modelInfo,
    },
    deployment: d,
  };
}

function wildcardRegex(pattern: string): RegExp {
  const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('(.+?)')}$`, 's');
}

/** More literal characters = more specific; ties go to fewer captures. */
function specificity(pattern: string): number {
  const stars = pattern.split('*').length - 1;
  return (pattern.length - stars) * 16 - stars;
}
