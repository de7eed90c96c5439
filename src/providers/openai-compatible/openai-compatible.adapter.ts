import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import { isSecretHeader } from '../../common/secret-redaction.js';
import { urlCredentials } from '../../common/url-redaction.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { providerInfo } from '../provider-catalog.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, UpstreamRequest } from '../upstream-http.js';

/**
 * The shared base for every provider that speaks OpenAI's wire format. A new compatible
 * provider is a catalog entry (default api base, capabilities); a provider whose URLs or
 * auth differ overrides url() or authHeaders(), as Azure does.
 */
export class OpenAiCompatibleAdapter implements ProviderAdapter {
  constructor(readonly name: string) {}

  supports(op: Operation): boolean {
    const info = providerInfo(this.name);
    if (op === 'chat') return true;
    if (op === 'responses') return info?.nativeResponses ?? false;
    if (op === 'embeddings') return info?.embeddings ?? false;
    // The Anthropic Messages API is served through the Messages <-> Chat bridge.
    return false;
  }

  chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    return postJson(this.request(target, 'chat', body), ctx);
  }

  chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    return postStream(this.request(target, 'chat', body), ctx);
  }

  responses(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    return postJson(this.request(target, 'responses', body), ctx);
  }

  responsesStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    return postStream(this.request(target, 'responses', body), ctx);
  }

  embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    return postJson(this.request(target, 'embeddings', body), ctx);
  }

  protected request(target: DeploymentTarget, op: Operation, body: JsonObject): UpstreamRequest {
    return {
      provider: this.name,
      url: this.url(target, op),
      headers: { ...this.authHeaders(target), ...target.settings.extraHeaders },
      // Only the model id changes; every other field the client sent goes upstream untouched.
      body: { ...body, model: this.upstreamModelField(target) },
      secrets: requestSecrets(target),
    };
  }

  protected url(target: DeploymentTarget, op: Operation): string {
    const path = op === 'chat' ? '/chat/completions' : op === 'responses' ? '/responses' : '/embeddings';
    return `${target.apiBase}${path}`;
  }

  protected upstreamModelField(target: DeploymentTarget): string {
    return target.upstreamModel;
  }

  protected authHeaders(target: DeploymentTarget): Record<string, string> {
    const key = requireApiKey(target, false);
    const headers: Record<string, string> = {};
    if (key) headers.authorization = `Bearer ${key}`;
    if (target.credentials.organization) headers['openai-organization'] = target.credentials.organization;
    return headers;
  }
}

/**
 * Everything credential-like this deployment sends upstream (key, secret headers, a password in
 * api_base), so upstream error echoes can be redacted.
 */
export function requestSecrets(target: DeploymentTarget): (string | undefined)[] {
  const fromHeaders = Object.entries(target.settings.extraHeaders)
    .filter(([name]) => isSecretHeader(name))
    .map(([, value]) => value);
  return [target.credentials.apiKey, ...fromHeaders, ...urlCredentials(target.apiBase)];
}

/**
 * The deployment's api key. Every adapter asks for it before building a request, so this is also
 * where a deployment that must not be used at all is stopped. A key configured as
 * `os.environ/NAME` with NAME unset is a gateway misconfiguration: say so plainly instead of
 * letting the provider answer an opaque 401.
 */
export function requireApiKey(target: DeploymentTarget, required: boolean): string | undefined {
  const { misconfigured } = target.deployment;
  if (misconfigured) {
    throw new GatewayError(
      ErrorCode.DeploymentMisconfigured,
      `Deployment '${target.deploymentId}' of model '${target.group}' (${target.provider}) cannot be used: ${misconfigured}`,
    );
  }
  const { apiKey, apiKeyMissingEnv } = target.credentials;
  if (apiKey) return apiKey;
  if (apiKeyMissingEnv || required) {
    const why = apiKeyMissingEnv ? `environment variable ${apiKeyMissingEnv} is not set on the gateway` : 'no api_key is configured';
    throw new GatewayError(
      ErrorCode.DeploymentMisconfigured,
      `Deployment '${target.deploymentId}' of model '${target.group}' (${target.provider}) has no API key: ${why}.`,
    );
  }
  return undefined;
}
