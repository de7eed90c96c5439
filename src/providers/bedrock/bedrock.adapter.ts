import { randomUUID } from 'node:crypto';
import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { DeploymentTarget } from '../../routing/routing-table.js';
import { toChatCompletion as anthropicToChat } from '../anthropic/anthropic-response.translator.js';
import { toChatChunks as anthropicChunks } from '../anthropic/anthropic-stream.translator.js';
import { includeUsage, notNative } from '../gemini/gemini.adapter.js';
import { requestSecrets, requireApiKey } from '../openai-compatible/openai-compatible.adapter.js';
import type { JsonObject, Operation, ProviderAdapter, UpstreamCallContext, UpstreamStream } from '../provider-adapter.js';
import { postJson, postStream, type UpstreamRequest, withinCallBudget } from '../upstream-http.js';
import { AwsCredentialCache } from './aws-credentials.js';
import { signedHeaders } from './aws-sigv4.js';
import { AWS_ENV, bedrockSettings } from './bedrock-config.js';
import { bedrockEmbedBodies, embedFamily, fromBedrockEmbeddings, readBedrockEmbeddings } from './bedrock-embeddings.translator.js';
import { bedrockErrorDetails } from './bedrock-errors.js';
import { awsEventStreamAsSse } from './bedrock-event-stream.js';
import { toConverseCall } from './converse-request.translator.js';
import { converseToMessage } from './converse-response.translator.js';
import { converseEventsAsAnthropic } from './converse-stream.translator.js';

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/**
 * AWS Bedrock: chat on the Converse and ConverseStream APIs (one wire format for Claude, Llama,
 * Mistral, Nova and the rest), embeddings on InvokeModel for Titan and Cohere. Requests are
 * signed with SigV4; the binary event stream is re-framed as SSE so the shared stream reader
 * serves it. Converse is Anthropic's conversation model under other names, so requests and
 * answers pass through the Anthropic translators (converse-*.translator.ts).
 */
export class BedrockAdapter implements ProviderAdapter {
  readonly name = 'bedrock';

  constructor(private readonly credentials = new AwsCredentialCache()) {}

  supports(op: Operation): boolean {
    return op === 'chat' || op === 'embeddings';
  }

  async chat(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const { request, jsonTool } = converseBody(target, body);
    const answer = await postJson(await this.request(target, ctx, 'converse', request as unknown as JsonObject), ctx);
    return anthropicToChat(converseToMessage(answer, target.upstreamModel, chatId()) as unknown as JsonObject, Date.now, jsonTool);
  }

  async chatStream(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<UpstreamStream> {
    const { request, jsonTool } = converseBody(target, body);
    const req = await this.request(target, ctx, 'converse-stream', request as unknown as JsonObject, true);
    const upstream = await postStream(req, ctx);
    const messages = converseEventsAsAnthropic(upstream.events, { model: target.upstreamModel, id: chatId(), secrets: req.secrets });
    return { headers: upstream.headers, events: anthropicChunks(messages, { includeUsage: includeUsage(body), jsonTool, secrets: req.secrets }) };
  }

  responses(target: DeploymentTarget): Promise<JsonObject> {
    return Promise.reject(notNative(target, this.name));
  }

  responsesStream(target: DeploymentTarget): Promise<UpstreamStream> {
    return Promise.reject(notNative(target, this.name));
  }

  /** Titan takes one text per call, so a list is several calls, made together; the answer keeps the input's order. */
  async embeddings(target: DeploymentTarget, body: JsonObject, ctx: UpstreamCallContext): Promise<JsonObject> {
    const id = bedrockModelId(target.upstreamModel);
    const family = embedFamily(id, target.group);
    const ask = readBedrockEmbeddings(body);
    const answers = await Promise.all(bedrockEmbedBodies(family, ask).map(async (b) => postJson(await this.request(target, ctx, 'invoke', b), ctx)));
    return fromBedrockEmbeddings(family, answers, ask, target.upstreamModel);
  }

  /** A signed request; credentials are resolved (and, for roles, fetched from STS) within the call's budget. */
  private async request(target: DeploymentTarget, ctx: UpstreamCallContext, operation: string, body: JsonObject, stream = false): Promise<UpstreamRequest> {
    // Stops a deployment taken out of service (an aws_* param naming an unset variable) first.
    requireApiKey(target, false);
    const d = target.deployment;
    const settings = bedrockSettings(d);
    // Start-up refuses a deployment without a region, but the environment it fell back on can change under a running gateway.
    if (!settings.region) {
      throw new GatewayError(
        ErrorCode.DeploymentMisconfigured,
        `Deployment '${target.deploymentId}' of model '${target.group}' (bedrock) cannot be used: no AWS region (aws_region_name, or ${AWS_ENV.region.join(' / ')}).`,
      );
    }
    const creds = await withinCallBudget(this.credentials.credentials(settings), ctx, 'Upstream provider bedrock: getting AWS credentials from STS took too long.');
    const url = `${settings.runtimeEndpoint}/model/${encodeURIComponent(bedrockModelId(target.upstreamModel))}/${operation}`;
    const payload = JSON.stringify(body);
    const signed = await signedHeaders({ url, headers: { 'content-type': 'application/json' }, body: payload, service: 'bedrock', region: settings.region!, credentials: creds });
    return {
      provider: this.name,
      url,
      // Configured extra headers go along unsigned; they cannot replace a signed one.
      headers: { ...target.settings.extraHeaders, ...signed },
      body,
      payload,
      secrets: [...requestSecrets(target), creds.secretAccessKey, creds.sessionToken, d.aws?.webIdentityToken],
      inBandErrors: false,
      errorDetails: bedrockErrorDetails,
      ...(stream ? { streamAccept: EVENT_STREAM, reframe: awsEventStreamAsSse } : {}),
    };
  }
}

/**
 * LiteLLM's route prefixes (`bedrock/converse/<id>`, `bedrock/invoke/<id>`) select its code
 * path, not the model: both are served by Converse here.
 */
export function bedrockModelId(upstreamModel: string): string {
  return upstreamModel.replace(/^(converse|invoke)\//, '');
}

function converseBody(target: DeploymentTarget, body: JsonObject) {
  const maxOutput = target.settings.modelInfo.max_output_tokens;
  return toConverseCall(body, {
    upstreamModel: target.upstreamModel,
    dropParams: target.settings.dropParams === true,
    maxOutputTokens: typeof maxOutput === 'number' && maxOutput > 0 ? Math.floor(maxOutput) : undefined,
  });
}

/** Converse answers carry no id; clients expect one per completion. */
function chatId(): string {
  return `chatcmpl-${randomUUID().replace(/-/g, '')}`;
}
