import { GatewayError } from '../../common/gateway-error.js';
import { type JsonOutput, readResponseFormat } from './anthropic-json-output.js';
import type { AnthropicTool } from './anthropic-wire.types.js';

/**
 * What the parameter rules collect. Several OpenAI parameters feed one Anthropic field
 * (max_tokens and reasoning_effort both shape the token budget; tool_choice and
 * parallel_tool_calls both shape tool_choice), so rules only record and the request
 * translator assembles once every parameter has been read.
 */
export interface RequestDraft {
  maxTokens?: number;
  maxCompletionTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  tools?: AnthropicTool[];
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  parallelToolCalls?: boolean;
  userId?: string;
  reasoningEffort?: string;
  thinking?: Record<string, unknown>;
  jsonOutput?: JsonOutput;
}

export interface ParamRule {
  /** Read by the translator itself (model, messages, stream, stream_options). */
  readonly structural?: true;
  /** Records the parameter's Anthropic counterpart; may throw a 400 for a malformed value. */
  readonly apply?: (value: unknown, draft: RequestDraft) => void;
  /** Values that mean OpenAI's default behaviour, which Anthropic has anyway: accepted, not sent. */
  readonly isDefault?: (value: unknown) => boolean;
  /** Accepted and not forwarded, because it cannot change what the model generates. */
  readonly noEffect?: string;
  /** Why another value has no Anthropic counterpart; ends up in the 400 message. */
  readonly unsupported?: string;
}

/**
 * Every Chat Completions parameter the Anthropic adapter knows, and what becomes of it.
 * A parameter missing from this table is treated as unsupported, so nothing reaches
 * Anthropic that it would reject as an unknown field, and nothing is lost silently unless
 * drop_params says so.
 */
export const CHAT_PARAMS: Readonly<Record<string, ParamRule>> = {
  model: { structural: true },
  messages: { structural: true },
  stream: { structural: true },
  stream_options: { structural: true },

  max_tokens: { apply: (v, d) => (d.maxTokens = positiveInt(v, 'max_tokens')) },
  max_completion_tokens: { apply: (v, d) => (d.maxCompletionTokens = positiveInt(v, 'max_completion_tokens')) },
  temperature: { apply: (v, d) => (d.temperature = number(v, 'temperature')) },
  top_p: { apply: (v, d) => (d.topP = number(v, 'top_p')) },
  // Not an OpenAI parameter, but Anthropic's own; clients that know the target send it.
  top_k: { apply: (v, d) => (d.topK = positiveInt(v, 'top_k')) },
  stop: { apply: (v, d) => (d.stopSequences = stopSequences(v)) },
  tools: { apply: (v, d) => (d.tools = tools(v)) },
  tool_choice: { apply: (v, d) => (d.toolChoice = toolChoice(v)) },
  parallel_tool_calls: { apply: (v, d) => (d.parallelToolCalls = boolean(v, 'parallel_tool_calls')) },
  user: { apply: (v, d) => (d.userId = string(v, 'user')) },
  safety_identifier: { apply: (v, d) => (d.userId = string(v, 'safety_identifier')) },
  reasoning_effort: { apply: (v, d) => (d.reasoningEffort = string(v, 'reasoning_effort')) },
  // Anthropic's native extended-thinking object, passed on as written.
  thinking: { apply: (v, d) => (d.thinking = object(v, 'thinking')) },

  n: { isDefault: (v) => v === 1, unsupported: 'Anthropic returns exactly one choice per request' },
  logprobs: { isDefault: (v) => v === false, unsupported: 'Anthropic does not return log probabilities' },
  top_logprobs: { isDefault: (v) => v === 0, unsupported: 'Anthropic does not return log probabilities' },
  presence_penalty: { isDefault: (v) => v === 0, unsupported: 'Anthropic has no presence penalty' },
  frequency_penalty: { isDefault: (v) => v === 0, unsupported: 'Anthropic has no frequency penalty' },
  logit_bias: { isDefault: (v) => isEmptyObject(v), unsupported: 'Anthropic has no logit bias' },
  seed: { unsupported: 'Anthropic has no sampling seed' },
  // Served through a forced tool call (anthropic-json-output.ts), which every Claude model supports.
  response_format: { apply: (v, d) => (d.jsonOutput = readResponseFormat(v)) },
  modalities: {
    isDefault: (v) => Array.isArray(v) && v.every((m) => m === 'text'),
    unsupported: 'Anthropic answers with text only',
  },
  service_tier: { isDefault: (v) => v === 'auto' || v === 'default', unsupported: 'OpenAI service tiers have no Anthropic counterpart' },
  store: { isDefault: (v) => v === false, unsupported: 'stored completions are an OpenAI feature' },
  metadata: { noEffect: 'OpenAI metadata only labels stored completions' },
  prompt_cache_key: { noEffect: 'Anthropic caches by prefix, not by key' },
  audio: { unsupported: 'Anthropic answers with text only' },
  prediction: { unsupported: 'Anthropic has no predicted outputs' },
  web_search_options: { unsupported: 'use an Anthropic server tool deployment instead' },
  functions: { unsupported: 'the legacy functions parameter is not translated; use tools' },
  function_call: { unsupported: 'the legacy function_call parameter is not translated; use tool_choice' },
};

/**
 * Reads every parameter of a Chat Completions body through the table. Unsupported ones are
 * a 400 naming the parameter, or are left out when drop_params is in effect.
 */
export function readParams(body: Readonly<Record<string, unknown>>, dropParams: boolean): RequestDraft {
  const draft: RequestDraft = {};
  for (const [name, value] of Object.entries(body)) {
    // OpenAI clients send explicit nulls for "not set"; so does the Responses bridge.
    if (value === null || value === undefined) continue;
    const rule = CHAT_PARAMS[name];
    if (rule?.structural) continue;
    if (rule?.apply) {
      rule.apply(value, draft);
      continue;
    }
    if (rule?.noEffect || rule?.isDefault?.(value) || dropParams) continue;
    const why = rule?.unsupported ?? 'it is not a Chat Completions parameter the Anthropic adapter can translate';
    throw GatewayError.invalid(
      `Parameter '${name}' is not supported for Anthropic models: ${why}. Remove it, or set drop_params: true ` +
        `on the deployment (or litellm_settings.drop_params: true) to drop unsupported parameters silently.`,
      name,
    );
  }
  return draft;
}

function positiveInt(v: unknown, param: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw GatewayError.invalid(`'${param}' must be a positive integer.`, param);
  return v;
}

function number(v: unknown, param: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw GatewayError.invalid(`'${param}' must be a number.`, param);
  return v;
}

function boolean(v: unknown, param: string): boolean {
  if (typeof v !== 'boolean') throw GatewayError.invalid(`'${param}' must be a boolean.`, param);
  return v;
}

function string(v: unknown, param: string): string {
  if (typeof v !== 'string') throw GatewayError.invalid(`'${param}' must be a string.`, param);
  return v;
}

function object(v: unknown, param: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw GatewayError.invalid(`'${param}' must be an object.`, param);
  return v as Record<string, unknown>;
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function stopSequences(v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw GatewayError.invalid(`'stop' must be a string or an array of strings.`, 'stop');
  }
  return list;
}

function tools(v: unknown): AnthropicTool[] {
  if (!Array.isArray(v)) throw GatewayError.invalid(`'tools' must be an array.`, 'tools');
  return v.map((tool, i) => {
    const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };
    if (t?.type !== 'function') {
      throw GatewayError.invalid(
        `tools[${i}] has type '${String(t?.type)}'; only 'function' tools can be translated for Anthropic models.`,
        `tools[${i}].type`,
      );
    }
    const fn = t.function;
    if (!fn || typeof fn.name !== 'string' || !fn.name) {
      throw GatewayError.invalid(`tools[${i}].function.name is required.`, `tools[${i}].function.name`);
    }
    const out: AnthropicTool = {
      name: fn.name,
      // Anthropic requires a schema; OpenAI lets a function without parameters take none.
      input_schema: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} },
    };
    if (typeof fn.description === 'string') out.description = fn.description;
    return out;
  });
}

function toolChoice(v: unknown): RequestDraft['toolChoice'] {
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  const name = (v as { type?: unknown; function?: { name?: unknown } })?.function?.name;
  if ((v as { type?: unknown })?.type === 'function' && typeof name === 'string' && name) return { name };
  throw GatewayError.invalid(
    `'tool_choice' must be 'auto', 'none', 'required' or {"type":"function","function":{"name":...}}.`,
    'tool_choice',
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
