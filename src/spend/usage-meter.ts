import { Logger } from '@nestjs/common';
import type { JsonObject, SseEvent } from '../providers/provider-adapter.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { costOf, priceOf, Usage } from './cost.js';
import type { SpendRecord } from './spend-writer.service.js';

/** The deployment that served a request, plus the name the client sent. */
export type ServedBy = DeploymentTarget & { readonly requestedName: string };

export type CallType = 'chat' | 'responses' | 'embeddings' | 'messages' | 'rerank';

/** What a cache hit's spend row names: the name the client sent and the deployment that first answered. */
export type CacheHitOrigin = Pick<SpendRecord, 'model' | 'group' | 'deploymentId' | 'provider' | 'upstreamModel'>;

/**
 * Providers whose Chat Completions stream accepts `stream_options.include_usage` (the Anthropic
 * adapter translates it). Others are not asked — an unknown field can be a 400 there — and
 * their streams are charged on counted tokens unless they report usage on their own.
 */
const STREAM_USAGE_PROVIDERS = new Set(['openai', 'azure', 'openrouter', 'groq', 'together_ai', 'deepseek', 'xai', 'fireworks_ai', 'hosted_vllm', 'anthropic', 'cohere', 'cohere_chat']);

/** Roughly four characters per token for English text: good enough to charge a stream that reported no usage. */
const CHARS_PER_TOKEN = 4;
/** JSON string values that carry generated text in chat chunks and Responses events. */
const TEXT_FIELD = /"(?:content|delta|arguments|refusal)":"((?:[^"\\]|\\.)*)"/g;
/** The same for Anthropic Messages stream deltas. */
const MESSAGES_TEXT_FIELD = /"(?:text|thinking|partial_json)":"((?:[^"\\]|\\.)*)"/g;

export interface MeterSink {
  record(r: SpendRecord): void;
  /** Tokens used, for tpm counters of the key and the deployment. */
  tokensUsed(tokens: number, target: DeploymentTarget): void;
  /** Upstream-reported usage of a stream whose usage chunk was not passed to the client. */
  usageSeen?(usage: Usage): void;
}

/**
 * One request's usage accounting. Endpoint services hand it the served result: a JSON body is
 * charged at once, a stream when it ends — normally, on error, or when the client goes away —
 * from the usage the provider reported, else from counted tokens. Charged at most once.
 */
export class UsageMeter {
  private static readonly logger = new Logger('Spend');
  private charged = false;
  private readonly startTime = new Date();
  private last?: { readonly target: ServedBy; readonly usage: Usage };

  constructor(
    private readonly sink: MeterSink,
    private readonly requestId: string,
    /** Virtual key token; undefined for the master key or an open gateway. */
    private readonly token: string | undefined,
    /** The request body, for counting prompt tokens when the provider reports none. */
    private readonly requestBody: unknown,
  ) {}

  /** The upstream body for a streamed chat attempt: asks for a final usage chunk where the provider supports it. */
  chatStreamBody<B extends JsonObject>(body: B, target: DeploymentTarget): B {
    if (!STREAM_USAGE_PROVIDERS.has(target.provider) || clientWantsUsage(body)) return body;
    const options = body.stream_options && typeof body.stream_options === 'object' ? (body.stream_options as JsonObject) : {};
    return { ...body, stream_options: { ...options, include_usage: true } };
  }

  json<B extends JsonObject>(callType: CallType, target: ServedBy, body: B): B {
    const usage = callType === 'messages' ? messagesUsage(body.usage) : callType === 'rerank' ? rerankUsage(body.meta) : reportedUsage(body);
    this.charge(callType, target, usage ?? this.estimate(0), false);
    return body;
  }

  /**
   * Wraps a stream. `clientBody` decides whether a usage-only chat chunk the gateway asked for
   * is passed on (the client asked for it too) or kept back (clients that iterate
   * `chunk.choices[0]` would break on it).
   */
  stream(callType: CallType, target: ServedBy, events: AsyncIterable<SseEvent>, clientBody: JsonObject): AsyncIterable<SseEvent> {
    if (callType === 'messages') return this.messagesStream(target, events);
    const passUsageChunk = callType !== 'chat' || clientWantsUsage(clientBody);
    const meter = this;
    return (async function* metered(): AsyncGenerator<SseEvent> {
      let usage: Usage | undefined;
      let generatedChars = 0;
      try {
        for await (const e of events) {
          const data = e.data;
          if (data.includes('"usage"')) {
            const found = parseUsageEvent(data);
            if (found) {
              usage = found.usage;
              if (found.usageOnlyChunk && !passUsageChunk) {
                meter.sink.usageSeen?.(found.usage);
                continue;
              }
            }
          }
          if (usage === undefined) generatedChars += generatedLength(data);
          yield e;
        }
      } finally {
        meter.charge(callType, target, usage ?? meter.estimate(generatedChars), true);
      }
    })();
  }

  /**
   * An Anthropic Messages stream reports input tokens in message_start and the running output
   * count in message_delta (newer API versions repeat the input there); the last value of each wins.
   */
  private messagesStream(target: ServedBy, events: AsyncIterable<SseEvent>): AsyncIterable<SseEvent> {
    const meter = this;
    return (async function* metered(): AsyncGenerator<SseEvent> {
      let prompt: number | undefined;
      let completion: number | undefined;
      let generatedChars = 0;
      try {
        for await (const e of events) {
          const data = e.data;
          if (data.includes('"usage"') && (e.event === 'message_start' || e.event === 'message_delta')) {
            try {
              const parsed = JSON.parse(data) as { message?: { usage?: unknown }; usage?: unknown };
              const found = messagesUsage(parsed.message?.usage ?? parsed.usage);
              if (found) {
                if (found.hasInput) prompt = found.promptTokens;
                if (found.hasOutput) completion = found.completionTokens;
              }
            } catch {
              /* a malformed event is passed on as is; usage falls back to counting */
            }
          } else if (completion === undefined) {
            generatedChars += generatedLength(data, MESSAGES_TEXT_FIELD);
          }
          yield e;
        }
      } finally {
        const usage: Usage =
          prompt !== undefined || completion !== undefined
            ? { promptTokens: prompt ?? 0, completionTokens: completion ?? 0, source: 'upstream' }
            : meter.estimate(generatedChars);
        meter.charge('messages', target, usage, true);
      }
    })();
  }

  /** What this request was charged for, once it was (the response cache stores it with the answer). */
  get lastCharge(): { readonly target: ServedBy; readonly usage: Usage } | undefined {
    return this.last;
  }

  /**
   * A response-cache hit: one spend row at zero cost with the original answer's tokens (source
   * 'cache'), and nothing added to tpm counters — no upstream tokens were used.
   */
  cacheHit(callType: CallType, origin: CacheHitOrigin, tokens: { promptTokens: number; completionTokens: number } | undefined, stream: boolean): void {
    if (this.charged) return;
    this.charged = true;
    try {
      this.sink.record({
        ...origin,
        requestId: this.requestId,
        token: this.token,
        callType,
        usage: { promptTokens: tokens?.promptTokens ?? 0, completionTokens: tokens?.completionTokens ?? 0, source: 'cache' },
        cost: 0,
        stream,
        startTime: this.startTime,
        endTime: new Date(),
      });
    } catch (err) {
      UsageMeter.logger.error(`request ${this.requestId}: spend not recorded: ${(err as Error).message}`);
    }
  }

  private estimate(generatedChars: number): Usage {
    let prompt = 0;
    const body = this.requestBody as Record<string, unknown> | undefined;
    if (body && typeof body === 'object') {
      const input = body.messages ?? body.input ?? body.prompt;
      if (input !== undefined) prompt = Math.ceil(JSON.stringify(input).length / CHARS_PER_TOKEN);
      if (body.system !== undefined) prompt += Math.ceil(JSON.stringify(body.system).length / CHARS_PER_TOKEN);
      if (typeof body.instructions === 'string') prompt += Math.ceil(body.instructions.length / CHARS_PER_TOKEN);
    }
    return { promptTokens: prompt, completionTokens: Math.ceil(generatedChars / CHARS_PER_TOKEN), source: 'estimated' };
  }

  private charge(callType: CallType, target: ServedBy, usage: Usage, stream: boolean): void {
    if (this.charged) return;
    this.charged = true;
    this.last = { target, usage };
    try {
      const cost = costOf(usage, priceOf(target));
      this.sink.record({
        requestId: this.requestId,
        token: this.token,
        callType,
        model: target.requestedName,
        group: target.group,
        deploymentId: target.deploymentId,
        provider: target.provider,
        upstreamModel: target.upstreamModel,
        usage,
        cost,
        stream,
        startTime: this.startTime,
        endTime: new Date(),
      });
      this.sink.tokensUsed(usage.promptTokens + usage.completionTokens, target);
    } catch (err) {
      // Accounting must never break a response that is already on its way.
      UsageMeter.logger.error(`request ${this.requestId}: spend not recorded: ${(err as Error).message}`);
    }
  }
}

function clientWantsUsage(body: JsonObject): boolean {
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  return !!options && typeof options === 'object' && options.include_usage === true;
}

/** Chat / embeddings (prompt_tokens, completion_tokens) and Responses (input_tokens, output_tokens). */
export function reportedUsage(body: Record<string, unknown> | undefined): Usage | undefined {
  const u = body?.usage as Record<string, unknown> | null | undefined;
  if (!u || typeof u !== 'object') return undefined;
  const prompt = num(u.prompt_tokens) ?? num(u.input_tokens);
  const completion = num(u.completion_tokens) ?? num(u.output_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  return { promptTokens: prompt ?? 0, completionTokens: completion ?? 0, source: 'upstream' };
}

/** Rerank answers are Cohere-shaped: tokens (if any) in meta.tokens, else meta.billed_units. */
function rerankUsage(meta: unknown): Usage | undefined {
  if (!meta || typeof meta !== 'object') return undefined;
  const m = meta as { tokens?: Record<string, unknown>; billed_units?: Record<string, unknown> };
  const input = num(m.tokens?.input_tokens) ?? num(m.billed_units?.input_tokens);
  if (input === undefined) return undefined;
  return { promptTokens: input, completionTokens: num(m.tokens?.output_tokens) ?? 0, source: 'upstream' };
}

/**
 * Anthropic usage: input_tokens excludes the prompt tokens written to or read from the cache, so
 * those are added back: every prompt token processed is counted, as for other providers.
 */
function messagesUsage(raw: unknown): (Usage & { hasInput: boolean; hasOutput: boolean }) | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const u = raw as Record<string, unknown>;
  const input = num(u.input_tokens);
  const cached = (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0);
  const output = num(u.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  return {
    promptTokens: input === undefined ? 0 : input + cached,
    completionTokens: output ?? 0,
    source: 'upstream',
    hasInput: input !== undefined,
    hasOutput: output !== undefined,
  };
}

/** Usage from a chat chunk or a Responses event (`response.completed` carries it in `response`). */
function parseUsageEvent(data: string): { usage: Usage; usageOnlyChunk: boolean } | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const usage = reportedUsage(parsed) ?? reportedUsage(parsed.response as Record<string, unknown> | undefined);
  if (!usage) return undefined;
  return { usage, usageOnlyChunk: Array.isArray(parsed.choices) && parsed.choices.length === 0 };
}

function generatedLength(data: string, field: RegExp = TEXT_FIELD): number {
  if (!data.includes('":"')) return 0;
  let n = 0;
  for (const m of data.matchAll(field)) n += m[1].length;
  return n;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}
