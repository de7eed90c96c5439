import type { DeploymentTarget } from '../../routing/routing-table.js';
import { OpenAiCompatibleAdapter, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { Operation } from '../provider-adapter.js';

/**
 * Azure OpenAI: the deployment name is part of the URL, the version a query parameter, and
 * the key goes in `api-key`. The Responses API is per resource, with the deployment as model.
 */
export class AzureAdapter extends OpenAiCompatibleAdapter {
  constructor() {
    super('azure');
  }

  protected override url(target: DeploymentTarget, op: Operation): string {
    const base = target.apiBase.replace(/\/openai$/, '');
    const version = encodeURIComponent(target.credentials.apiVersion ?? '');
    if (op === 'responses') return `${base}/openai/responses?api-version=${version}`;
    const path = op === 'chat' ? 'chat/completions' : 'embeddings';
    return `${base}/openai/deployments/${encodeURIComponent(target.upstreamModel)}/${path}?api-version=${version}`;
  }

  protected override authHeaders(target: DeploymentTarget): Record<string, string> {
    const key = requireApiKey(target, false);
    return key ? { 'api-key': key } : {};
  }
}
