import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { toGatewayError } from '../common/error-mapping.js';
import { redactSecrets } from '../common/secret-redaction.js';
import { redactUrl } from '../common/url-redaction.js';
import { ConfigRegistryService } from '../config/config-registry.service.js';
import { requestSecrets } from '../providers/openai-compatible/openai-compatible.adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import type { DeploymentTarget } from '../routing/routing-table.js';

export interface ProbedDeployment {
  readonly model: string;
  readonly deployment_id: string;
  readonly provider: string;
  readonly upstream_model: string;
  readonly api_base: string;
  readonly mode: 'chat' | 'embedding' | 'rerank';
  readonly latency_ms?: number;
  readonly error?: string;
}

export interface DeploymentHealth {
  readonly healthy_count: number;
  readonly unhealthy_count: number;
  readonly healthy_endpoints: ProbedDeployment[];
  readonly unhealthy_endpoints: ProbedDeployment[];
  /** Wildcard groups have no concrete model to call. */
  readonly skipped: { model: string; reason: string }[];
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
const NEVER = new AbortController().signal;

/**
 * GET /health: one tiny real call per deployment (a 1-token chat, or an embedding for
 * embedding models) through the same adapters as traffic. Reports carry ids, providers and
 * upstream ids, never credentials; any key that an upstream echoes back is masked.
 */
@Injectable()
export class DeploymentProbeService {
  constructor(
    private readonly registry: ConfigRegistryService,
    private readonly providers: ProviderRegistry,
  ) {}

  async probeAll(options: { model?: string; timeoutMs?: number } = {}): Promise<DeploymentHealth> {
    const table = this.registry.table;
    const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    const targets: DeploymentTarget[] = [];
    for (const group of table.groupNames()) {
      if (options.model !== undefined && group !== options.model) continue;
      targets.push(...(table.groupTargets(group) ?? []));
    }
    const skipped = table
      .wildcardPatterns()
      .filter((w) => options.model === undefined || w.pattern === options.model)
      .map((w) => ({ model: w.pattern, reason: 'wildcard group: no concrete model to probe' }));
    const results = await Promise.all(targets.map((t) => this.probe(t, timeoutMs)));
    const healthy = results.filter((r) => r.error === undefined);
    const unhealthy = results.filter((r) => r.error !== undefined);
    return {
      healthy_count: healthy.length,
      unhealthy_count: unhealthy.length,
      healthy_endpoints: healthy,
      unhealthy_endpoints: unhealthy,
      skipped,
    };
  }

  /** What one tiny call looks like for this deployment; a provider without chat (Voyage) is probed as it is used. */
  private probeMode(t: DeploymentTarget): ProbedDeployment['mode'] {
    let supports: (op: 'chat' | 'embeddings' | 'rerank') => boolean;
    try {
      const adapter = this.providers.get(t.provider);
      supports = (op) => adapter.supports(op);
    } catch {
      return 'chat'; // the probe itself reports the unknown provider
    }
    if (supports('rerank') && isRerankModel(t)) return 'rerank';
    if (isEmbeddingModel(t) || (!supports('chat') && supports('embeddings'))) return 'embedding';
    return 'chat';
  }

  private async probe(t: DeploymentTarget, timeoutMs: number): Promise<ProbedDeployment> {
    const mode = this.probeMode(t);
    const base = {
      model: t.group,
      deployment_id: t.deploymentId,
      provider: t.provider,
      upstream_model: t.upstreamModel,
      api_base: redactUrl(t.apiBase),
      mode,
    } as const;
    const ctx = {
      // Never aborted: the adapters' own timeout (timeoutMs) reports an upstream timeout, not a cancellation.
      signal: NEVER,
      requestId: `health-${randomUUID()}`,
      timeoutMs,
      streamIdleTimeoutMs: timeoutMs,
    };
    const started = performance.now();
    try {
      const adapter = this.providers.get(t.provider);
      if (mode === 'rerank' && adapter.rerank) {
        await adapter.rerank(t, { model: t.upstreamModel, query: 'ping', documents: ['ping'] }, ctx);
      } else if (mode === 'embedding') {
        await adapter.embeddings(t, { model: t.upstreamModel, input: 'ping' }, ctx);
      } else {
        await adapter.chat(t, { model: t.upstreamModel, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }, ctx);
      }
      return { ...base, latency_ms: Math.round(performance.now() - started) };
    } catch (err) {
      const e = toGatewayError(err);
      const status = e.upstreamStatus ? ` (upstream ${e.upstreamStatus})` : '';
      return { ...base, latency_ms: Math.round(performance.now() - started), error: mask(`${e.code}${status}: ${e.message}`, t) };
    }
  }
}

/** LiteLLM marks rerank deployments with model_info.mode: rerank; otherwise the model id tells. */
function isRerankModel(t: DeploymentTarget): boolean {
  const mode = t.settings.modelInfo.mode;
  return mode === 'rerank' || (mode === undefined && /rerank/i.test(t.upstreamModel));
}

/** LiteLLM marks embedding deployments with model_info.mode: embedding. */
function isEmbeddingModel(t: DeploymentTarget): boolean {
  const mode = t.settings.modelInfo.mode;
  return mode === 'embedding' || (mode === undefined && /embed/i.test(t.upstreamModel));
}

function mask(message: string, t: DeploymentTarget): string {
  const key = t.credentials.apiKey;
  let out = redactSecrets(message, requestSecrets(t));
  if (key && key.length >= 4) out = out.split(key).join('***');
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}
