import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';
import type { CohereChatRequest, CohereContentBlock, CohereMessage, CohereTool, CohereToolCall } from './cohere-wire.types.js';

export interface CohereRequestOptions {
  readonly upstreamModel: string;
  readonly dropParams: boolean;
  readonly stream: boolean;
}

/** What the parameter rules collect; `namedTool` is resolved once tools are known too. */
type Draft = Partial<Pick<CohereChatRequest, 'tools' | 'tool_choice' | 'max_tokens'>> & Record<string, unknown> & { namedTool?: string };

interface ParamRule {
  /** Read by the translator itself. */
  readonly structural?: true;
  /** Writes the Cohere counterpart into the draft; throws a 400 for a malformed value. */
  readonly apply?: (value: unknown, draft: Draft) => void;
  /** Values meaning OpenAI's default behaviour, which Cohere has anyway: accepted, not sent. */
  readonly isDefault?: (value: unknown) => boolean;
  /** Accepted and not forwarded: it cannot change what the model generates. */
  readonly noEffect?: true;
  /** Why another value has no Cohere counterpart; ends up in the 400 message. */
  readonly unsupported?: string;
}

/**
 * Every Chat Completions parameter the Cohere adapter knows. Cohere's v2 API answers an unknown
 * field with a 400 of its own, so a parameter missing here is refused by the gateway with a
 * message naming it (or dropped, with drop_params) rather than forwarded.
 */
export const COHERE_CHAT_PARAMS: Readonly<Record<string, ParamRule>> = {
  model: { structural: true },
  messages: { structural: true },
  stream: { structural: true },
  stream_options: { structural: true },

  temperature: { apply: (v, d) => (d.temperature = number(v, 'temperature')) },
  top_p: { apply: (v, d) => (d.p = number(v, 'top_p')) },
  // Not OpenAI's, but Cohere's own name; clients that know the target send it.
  top_k: { apply: (v, d) => (d.k = nonNegativeInt(v, 'top_k')) },
  max_tokens: { apply: (v, d) => (d.max_tokens ??= positiveInt(v, 'max_tokens')) },
  // The newer name wins over the older one, whichever comes first in the body.
  max_completion_tokens: { apply: (v, d) => (d.max_tokens = positiveInt(v, 'max_completion_tokens')) },
  stop: { apply: (v, d) => (d.stop_sequences = stopSequences(v)) },
  seed: { apply: (v, d) => (d.seed = integer(v, 'seed')) },
  frequency_penalty: { apply: (v, d) => (d.frequency_penalty = number(v, 'frequency_penalty')) },
  presence_penalty: { apply: (v, d) => (d.presence_penalty = number(v, 'presence_penalty')) },
  response_format: { apply: (v, d) => applyResponseFormat(v, d) },
  tools: { apply: (v, d) => (d.tools = tools(v)) },
  tool_choice: { apply: (v, d) => applyToolChoice(v, d) },

  // Cohere's own request fields, passed on as written for clients that target it.
  documents: { apply: (v, d) => (d.documents = v) },
  citation_options: { apply: (v, d) => (d.citation_options = v) },
  safety_mode: { apply: (v, d) => (d.safety_mode = v) },
  strict_tools: { apply: (v, d) => (d.strict_tools = v) },
  thinking: { apply: (v, d) => (d.thinking = v) },
  k: { apply: (v, d) => (d.k = nonNegativeInt(v, 'k')) },
  p: { apply: (v, d) => (d.p = number(v, 'p')) },

  n: { isDefault: (v) => v === 1, unsupported: 'Cohere returns exactly one choice per request' },
  logprobs: { isDefault: (v) => v === false, unsupported: 'log probabilities are not translated from Cohere' },
  top_logprobs: { isDefault: (v) => v === 0, unsupported: 'log probabilities are not translated from Cohere' },
  logit_bias: { isDefault: (v) => isObject(v) && Object.keys(v).length === 0, unsupported: 'Cohere has no logit bias' },
  // Cohere may call several tools in one turn and cannot be told not to.
  parallel_tool_calls: { isDefault: (v) => v === true, unsupported: 'Cohere cannot be limited to one tool call per turn' },
  service_tier: { isDefault: (v) => v === 'auto' || v === 'default', unsupported: 'OpenAI service tiers have no Cohere counterpart' },
  store: { isDefault: (v) => v === false, unsupported: 'stored completions are an OpenAI feature' },
  modalities: { isDefault: (v) => Array.isArray(v) && v.every((m) => m === 'text'), unsupported: 'Cohere answers with text only' },
  user: { noEffect: true },
  safety_identifier: { noEffect: true },
  metadata: { noEffect: true },
  prompt_cache_key: { noEffect: true },
  audio: { unsupported: 'Cohere answers with text only' },
  prediction: { unsupported: 'Cohere has no predicted outputs' },
  reasoning_effort: { unsupported: "use Cohere's own `thinking` object" },
  web_search_options: { unsupported: 'Cohere has no built-in web search' },
  functions: { unsupported: 'the legacy functions parameter is not translated; use tools' },
  function_call: { unsupported: 'the legacy function_call parameter is not translated; use tool_choice' },
};

/** A Chat Completions body → the body of Cohere's POST /v2/chat. */
export function toCohereChat(body: JsonObject, options: CohereRequestOptions): CohereChatRequest {
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw GatewayError.invalid("'messages' must be a non-empty array.", 'messages');
  }
  const draft: Draft = {};
  for (const [name, value] of Object.entries(body)) {
    // OpenAI clients send explicit nulls for "not set"; so does the Responses bridge.
    if (value === null || value === undefined) continue;
    const rule = COHERE_CHAT_PARAMS[name];
    if (rule?.structural) continue;
    if (rule?.apply) {
      rule.apply(value, draft);
      continue;
    }
    if (rule?.noEffect || rule?.isDefault?.(value) || options.dropParams) continue;
    const why = rule?.unsupported ?? 'it is not a Chat Completions parameter the Cohere adapter can translate';
    throw GatewayError.invalid(
      `Parameter '${name}' is not supported for Cohere models: ${why}. Remove it, or set drop_params: true ` +
        `on the deployment (or litellm_settings.drop_params: true) to drop unsupported parameters silently.`,
      name,
    );
  }
  const { namedTool, ...params } = draft;
  if (namedTool !== undefined) {
    // Cohere cannot be told which tool to call; offering only that one and requiring a call means the same.
    const only = params.tools?.filter((t) => t.function.name === namedTool) ?? [];
    if (only.length === 0) throw GatewayError.invalid(`tool_choice names '${namedTool}', which is not in 'tools'.`, 'tool_choice');
    params.tools = only;
    params.tool_choice = 'REQUIRED';
  }
  if (params.tool_choice === 'REQUIRED' && !params.tools?.length) {
    throw GatewayError.invalid("tool_choice 'required' needs 'tools'.", 'tool_choice');
  }
  const request: CohereChatRequest = { model: options.upstreamModel, messages: body.messages.map(message), ...params };
  if (options.stream) request.stream = true;
  return request;
}

function message(raw: unknown, i: number): CohereMessage {
  if (!isObject(raw)) throw GatewayError.invalid(`messages[${i}] must be an object.`, `messages[${i}]`);
  const role = raw.role;
  switch (role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOnly(raw.content, i) };
    case 'user':
      return { role: 'user', content: userContent(raw.content, i) };
    case 'assistant': {
      const out: CohereMessage = { role: 'assistant' };
      const text = raw.content === null || raw.content === undefined ? '' : textOnly(raw.content, i);
      const calls = Array.isArray(raw.tool_calls) ? raw.tool_calls.map((c, j) => toolCall(c, i, j)) : [];
      if (text) out.content = text;
      if (calls.length) out.tool_calls = calls;
      // Cohere refuses an assistant turn with neither; an empty reply is still a turn.
      if (!text && !calls.length) out.content = '';
      return out;
    }
    case 'tool': {
      if (typeof raw.tool_call_id !== 'string' || !raw.tool_call_id) {
        throw GatewayError.invalid(`messages[${i}].tool_call_id is required for a tool message.`, `messages[${i}].tool_call_id`);
      }
      const content = typeof raw.content === 'string' ? raw.content : textBlocks(raw.content, i);
      return { role: 'tool', tool_call_id: raw.tool_call_id, content };
    }
    default:
      throw GatewayError.invalid(
        `messages[${i}] has role '${String(role)}'; Cohere models take system, developer, user, assistant and tool messages.`,
        `messages[${i}].role`,
      );
  }
}

function userContent(content: unknown, i: number): string | CohereContentBlock[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw GatewayError.invalid(`messages[${i}].content must be a string or an array of parts.`, `messages[${i}].content`);
  return content.map((part, j) => {
    const p = part as { type?: unknown; text?: unknown; image_url?: { url?: unknown; detail?: unknown } | string };
    if (p?.type === 'text' && typeof p.text === 'string') return { type: 'text', text: p.text };
    if (p?.type === 'image_url') {
      const url = typeof p.image_url === 'string' ? p.image_url : p.image_url?.url;
      if (typeof url !== 'string') throw GatewayError.invalid(`messages[${i}].content[${j}].image_url.url is required.`, `messages[${i}].content[${j}]`);
      const detail = typeof p.image_url === 'object' && typeof p.image_url.detail === 'string' ? p.image_url.detail : undefined;
      return { type: 'image_url', image_url: detail ? { url, detail } : { url } };
    }
    throw GatewayError.invalid(
      `messages[${i}].content[${j}] has type '${String(p?.type)}'; Cohere models take text and image_url parts.`,
      `messages[${i}].content[${j}].type`,
    );
  });
}

/** System and assistant turns carry text only; parts are joined as OpenAI models read them. */
function textOnly(content: unknown, i: number): string {
  if (typeof content === 'string') return content;
  return textBlocks(content, i)
    .map((b) => b.text)
    .join('');
}

function textBlocks(content: unknown, i: number): { type: 'text'; text: string }[] {
  if (!Array.isArray(content)) throw GatewayError.invalid(`messages[${i}].content must be a string or an array of text parts.`, `messages[${i}].content`);
  return content.map((part, j) => {
    const p = part as { type?: unknown; text?: unknown; refusal?: unknown };
    if (p?.type === 'text' && typeof p.text === 'string') return { type: 'text', text: p.text };
    // An assistant refusal sent back in the history is what the model said.
    if (p?.type === 'refusal' && typeof p.refusal === 'string') return { type: 'text', text: p.refusal };
    throw GatewayError.invalid(`messages[${i}].content[${j}] must be a text part here.`, `messages[${i}].content[${j}].type`);
  });
}

function toolCall(raw: unknown, i: number, j: number): CohereToolCall {
  const c = raw as { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } };
  if (typeof c?.id !== 'string' || typeof c.function?.name !== 'string') {
    throw GatewayError.invalid(`messages[${i}].tool_calls[${j}] needs an id and function.name.`, `messages[${i}].tool_calls[${j}]`);
  }
  const args = typeof c.function.arguments === 'string' && c.function.arguments ? c.function.arguments : '{}';
  return { id: c.id, type: 'function', function: { name: c.function.name, arguments: args } };
}

function tools(v: unknown): CohereTool[] {
  if (!Array.isArray(v)) throw GatewayError.invalid(`'tools' must be an array.`, 'tools');
  return v.map((tool, i) => {
    const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };
    if (t?.type !== 'function') {
      throw GatewayError.invalid(`tools[${i}] has type '${String(t?.type)}'; only 'function' tools can be sent to Cohere models.`, `tools[${i}].type`);
    }
    const fn = t.function;
    if (!fn || typeof fn.name !== 'string' || !fn.name) throw GatewayError.invalid(`tools[${i}].function.name is required.`, `tools[${i}].function.name`);
    // Cohere requires a schema; OpenAI lets a function without parameters take none.
    const out: CohereTool = { type: 'function', function: { name: fn.name, parameters: isObject(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } } };
    if (typeof fn.description === 'string') out.function.description = fn.description;
    return out;
  });
}

function applyToolChoice(v: unknown, d: Draft): void {
  if (v === 'auto') return;
  if (v === 'none') d.tool_choice = 'NONE';
  else if (v === 'required') d.tool_choice = 'REQUIRED';
  else {
    const name = (v as { type?: unknown; function?: { name?: unknown } })?.function?.name;
    if ((v as { type?: unknown })?.type !== 'function' || typeof name !== 'string' || !name) {
      throw GatewayError.invalid(`'tool_choice' must be 'auto', 'none', 'required' or {"type":"function","function":{"name":...}}.`, 'tool_choice');
    }
    d.namedTool = name;
  }
}

function applyResponseFormat(v: unknown, d: Draft): void {
  const format = v as { type?: unknown; json_schema?: { schema?: unknown } };
  if (format?.type === 'text') return;
  if (format?.type === 'json_object') d.response_format = { type: 'json_object' };
  else if (format?.type === 'json_schema') {
    const schema = format.json_schema?.schema;
    d.response_format = isObject(schema) ? { type: 'json_object', json_schema: schema } : { type: 'json_object' };
  } else {
    throw GatewayError.invalid(`'response_format.type' must be 'text', 'json_object' or 'json_schema'.`, 'response_format');
  }
}

function stopSequences(v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
    throw GatewayError.invalid(`'stop' must be a string or an array of strings.`, 'stop');
  }
  return list;
}

function number(v: unknown, param: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw GatewayError.invalid(`'${param}' must be a number.`, param);
  return v;
}

function integer(v: unknown, param: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw GatewayError.invalid(`'${param}' must be an integer.`, param);
  return v;
}

function positiveInt(v: unknown, param: string): number {
  if (integer(v, param) < 1) throw GatewayError.invalid(`'${param}' must be a positive integer.`, param);
  return v as number;
}

function nonNegativeInt(v: unknown, param: string): number {
  if (integer(v, param) < 0) throw GatewayError.invalid(`'${param}' must be a non-negative integer.`, param);
  return v as number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
