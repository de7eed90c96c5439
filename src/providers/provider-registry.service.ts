import { Injectable } from '@nestjs/common';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { AnthropicAdapter } from './anthropic/anthropic.adapter.js';
import { AzureAdapter } from './azure/azure.adapter.js';
import { BedrockAdapter } from './bedrock/bedrock.adapter.js';
import { GeminiAdapter } from './gemini/gemini.adapter.js';
import { CohereAdapter } from './cohere/cohere.adapter.js';
import { OpenAiCompatibleAdapter } from './openai-compatible/openai-compatible.adapter.js';
import { knownProviders, providerInfo } from './provider-catalog.js';
import { TextCompletionAdapter } from './text-completion/text-completion.adapter.js';
import { VertexAiAdapter } from './vertex-ai/vertex-ai.adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { VoyageAdapter } from './voyage/voyage.adapter.js';
import { withRequestDefaults } from '../routing/request-defaults.js';

/** Provider name → adapter. Adapters are stateless, so one instance per provider serves all deployments. */
@Injectable()
export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor() {
    for (const name of knownProviders()) {
      const adapter = this.create(name);
      if (adapter) this.adapters.set(name, withRequestDefaults(adapter));
    }
  }

  get(provider: string): ProviderAdapter {
    const adapter = this.adapters.get(provider);
    if (!adapter) {
      throw new GatewayError(ErrorCode.InvalidRequest, `Provider '${provider}' is not available on this gateway.`, { param: 'model' });
    }
    return adapter;
  }

  register(adapter: ProviderAdapter): void {
    this.adapters.set(adapter.name, withRequestDefaults(adapter));
  }

  private create(name: string): ProviderAdapter | undefined {
    const family = providerInfo(name)?.family;
    if (family === 'azure') return new AzureAdapter();
    if (family === 'anthropic') return new AnthropicAdapter();
    if (family === 'gemini') return new GeminiAdapter();
    if (family === 'vertex_ai') return new VertexAiAdapter();
    if (family === 'bedrock') return new BedrockAdapter();
    if (family === 'openai-compatible') return new OpenAiCompatibleAdapter(name);
    if (family === 'cohere') return new CohereAdapter(name);
    if (family === 'voyage') return new VoyageAdapter();
    if (family === 'openai-text-completion') return new TextCompletionAdapter(name);
    return undefined;
  }
}
