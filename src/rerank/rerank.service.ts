import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DEPLOYMENT_HEADER } from '../chat/chat.service.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { GatewayResult } from '../common/gateway-result.js';
import type { RequestContext } from '../common/request-context.js';
import type { JsonObject } from '../providers/provider-adapter.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { ModelResolutionService } from '../routing/model-resolution.service.js';
import { RouterService } from '../routing/router.service.js';

/**
 * /v1/rerank (also /rerank, /v2/rerank): the same resolution and routing as every other
 * endpoint, ending in the adapter's rerank(). Adapters get plain-string documents and answer
 * { id, results: [{ index, relevance_score }], meta }; the documents themselves are attached
 * here, so return_documents means the same for every provider.
 */
@Injectable()
export class RerankService {
  constructor(
    private readonly resolver: ModelResolutionService,
    private readonly router: RouterService,
    private readonly providers: ProviderRegistry,
  ) {}

  async create(body: JsonObject & { model: string }, ctx: RequestContext): Promise<GatewayResult> {
    // Resolution already keeps only deployments whose provider can rerank (400 when none can).
    const resolution = this.resolver.resolve(body.model, 'rerank', ctx.caller);
    const texts = documentTexts(body.documents);
    if (body.rank_fields !== undefined && body.rank_fields !== null) {
      throw GatewayError.invalid("'rank_fields' is not supported: send each document as a string or as { text }.", 'rank_fields');
    }
    const { return_documents: returnDocuments, ...rest } = body;
    const upstreamBody: JsonObject = { ...rest, documents: texts };
    const options = { requestId: ctx.requestId, signal: ctx.signal, stream: false, endpoint: 'rerank' as const, caller: ctx.caller, trace: ctx.trace };
    const { result, target } = await this.router.execute(
      resolution,
      async (t, c) => {
        const adapter = this.providers.get(t.provider);
        // The catalog and the adapter should agree; if they do not, say so instead of calling a missing route.
        if (!adapter.supports('rerank') || !adapter.rerank) {
          throw GatewayError.invalid(`Model '${t.requestedName}' does not support rerank (provider ${t.provider}).`, 'model');
        }
        return withDocuments(await adapter.rerank(t, upstreamBody, c), texts, returnDocuments !== false);
      },
      options,
    );
    const json = result;
    return {
      kind: 'json',
      body: ctx.meter ? ctx.meter.json('rerank', target, json) : json,
      headers: { [DEPLOYMENT_HEADER]: target.deploymentId },
    };
  }
}

/** Cohere's v1 shape and LiteLLM accept `{ text }` objects beside strings; providers get strings. */
export function documentTexts(documents: unknown): string[] {
  if (!Array.isArray(documents)) throw GatewayError.invalid("'documents' must be an array.", 'documents');
  return documents.map((d, i) => {
    if (typeof d === 'string') return d;
    const text = (d as { text?: unknown } | null)?.text;
    if (typeof text === 'string') return text;
    throw GatewayError.invalid(`documents[${i}] must be a string or an object with a string 'text'.`, `documents[${i}]`);
  });
}

/**
 * LiteLLM returns the documents unless return_documents is false. A result whose index points
 * at no document is the upstream's mistake: the 502 says so rather than pass an unusable answer.
 */
function withDocuments(result: JsonObject, texts: readonly string[], include: boolean): JsonObject {
  const results = (result.results as { index?: unknown; relevance_score?: unknown }[]).map((r) => {
    const index = r.index;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= texts.length || typeof r.relevance_score !== 'number') {
      throw new GatewayError(ErrorCode.UpstreamError, 'The upstream rerank answer has a result that does not match a document.');
    }
    return include ? { index, relevance_score: r.relevance_score, document: { text: texts[index] } } : { index, relevance_score: r.relevance_score };
  });
  const out: JsonObject = { id: typeof result.id === 'string' ? result.id : randomUUID(), results };
  out.meta = result.meta ?? {};
  return out;
}
