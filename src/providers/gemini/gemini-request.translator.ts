import { GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../provider-adapter.js';
import { toGeminiSchema } from './gemini-schema.js';
import type { GeminiContent, GeminiPart, GeminiRequest } from './gemini-wire.types.js';

export interface GeminiRequestOptions {
  readonly dropParams: boolean;
}

/**
 * Gemini has no tool-call ids, and Gemini 2.5+ hands out a `thoughtSignature` on each function
 * call that must come back with it on the next turn. The gateway makes the id up and carries the
 * signature inside it, so an OpenAI client that echoes its tool_calls unchanged (all of them do)
 * sends the signature back without knowing about it.
 */
export const THOUGHT_SIGNATURE_SEPARATOR = '__thought__';

type Draft = { generationConfig: Record<string, unknown>; tools?: JsonObject[]; toolConfig?: JsonObject; safetySettings?: unknown };

interface ParamRule {
  readonly structural?: true;
  readonly apply?: (value: unknown, draft: Draft) => void;
  /** OpenAI's default value, which is Gemini's behaviour anyway: accepted, not sent. */
  readonly isDefault?: (value: unknown) => boolean;
  readonly noEffect?: true;
  readonly unsupported?: string;
}

/** reasoning_effort → thinking budget (tokens). 0 turns thinking off where the model allows it. */
const THINKING_BUDGET: Readonly<Record<string, number>> = { none: 0, minimal: 0, low: 1024, medium: 8192, high: 24576 };

/**
 * Every Chat Completions parameter and what becomes of it. Missing from the table means
 * unsupported: a 400 naming it, unless drop_params is in effect (as for Anthropic).
 */
const PARAMS: Readonly<Record<string, ParamRule>> = {
  model: { structural: true },
  messages: { structural: true },
  stream: { structural: true },
  stream_options: { structural: true },
  temperature: { apply: (v, d) => (d.generationConfig.temperature = num(v, 'temperature')) },
  top_p: { apply: (v, d) => (d.generationConfig.topP = num(v, 'top_p')) },
  top_k: { apply: (v, d) => (d.generationConfig.topK = int(v, 'top_k')) },
  max_tokens: { apply: (v, d) => (d.generationConfig.maxOutputTokens ??= int(v, 'max_tokens')) },
  // The newer name wins when both are sent.
  max_completion_tokens: { apply: (v, d) => (d.generationConfig.maxOutputTokens = int(v, 'max_completion_tokens')) },
  stop: { apply: (v, d) => (d.generationConfig.stopSequences = stops(v)) },
  n: { apply: (v, d) => (d.generationConfig.candidateCount = int(v, 'n')) },
  seed: { apply: (v, d) => (d.generationConfig.seed = int(v, 'seed', true)) },
  presence_penalty: { apply: (v, d) => (d.generationConfig.presencePenalty = num(v, 'presence_penalty')) },
  frequency_penalty: { apply: (v, d) => (d.generationConfig.frequencyPenalty = num(v, 'frequency_penalty')) },
  response_format: { apply: (v, d) => applyResponseFormat(v, d) },
  reasoning_effort: {
    apply: (v, d) => {
      const budget = typeof v === 'string' ? THINKING_BUDGET[v] : undefined;
      if (budget === undefined) throw GatewayError.invalid(`'reasoning_effort' must be one of ${Object.keys(THINKING_BUDGET).join(', ')}.`, 'reasoning_effort');
      d.generationConfig.thinkingConfig = { thinkingBudget: budget };
    },
  },
  tools: { apply: (v, d) => (d.tools = tools(v)) },
  tool_choice: { apply: (v, d) => (d.toolConfig = toolConfig(v)) },
  // Gemini decides on parallel calls itself; there is no switch to pass on.
  parallel_tool_calls: { noEffect: true },
  // Google's own field, for clients that know the target.
  safety_settings: { apply: (v, d) => (d.safetySettings = v) },
  user: { noEffect: true },
  metadata: { noEffect: true },
  store: { isDefault: (v) => v === false, unsupported: 'stored completions are an OpenAI feature' },
  logprobs: { isDefault: (v) => v === false, unsupported: 'log probabilities are not translated for Gemini' },
  top_logprobs: { isDefault: (v) => v === 0, unsupported: 'log probabilities are not translated for Gemini' },
  logit_bias: { isDefault: (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0, unsupported: 'Gemini has no logit bias' },
  modalities: { isDefault: (v) => Array.isArray(v) && v.every((m) => m === 'text'), unsupported: 'only text answers are translated for Gemini' },
  service_tier: { isDefault: (v) => v === 'auto' || v === 'default', unsupported: 'OpenAI service tiers have no Gemini counterpart' },
  audio: { unsupported: 'only text answers are translated for Gemini' },
  prediction: { unsupported: 'Gemini has no predicted outputs' },
  web_search_options: { unsupported: 'grounding with Google Search is not translated' },
  functions: { unsupported: 'the legacy functions parameter is not translated; use tools' },
  function_call: { unsupported: 'the legacy function_call parameter is not translated; use tool_choice' },
};

/** Chat Completions body → generateContent body. Throws 400s for what cannot be translated. */
export function toGenerateContentRequest(body: JsonObject, options: GeminiRequestOptions): GeminiRequest {
  const draft: Draft = { generationConfig: {} };
  for (const [name, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    const rule = PARAMS[name];
    if (rule?.structural) continue;
    if (rule?.apply) {
      rule.apply(value, draft);
      continue;
    }
    if (rule?.noEffect || rule?.isDefault?.(value) || options.dropParams) continue;
    const why = rule?.unsupported ?? 'it is not a Chat Completions parameter the Gemini adapter can translate';
    throw GatewayError.invalid(
      `Parameter '${name}' is not supported for Gemini models: ${why}. Remove it, or set drop_params: true ` +
        `on the deployment (or litellm_settings.drop_params: true) to drop unsupported parameters silently.`,
      name,
    );
  }
  const { systemInstruction, contents } = translateMessages(body.messages);
  const out: GeminiRequest = { contents };
  if (systemInstruction) out.systemInstruction = systemInstruction;
  if (draft.tools?.length) out.tools = draft.tools;
  if (draft.toolConfig) out.toolConfig = draft.toolConfig;
  if (draft.safetySettings !== undefined) out.safetySettings = draft.safetySettings;
  if (Object.keys(draft.generationConfig).length) out.generationConfig = draft.generationConfig;
  return out;
}

function translateMessages(raw: unknown): { systemInstruction?: GeminiContent; contents: GeminiContent[] } {
  if (!Array.isArray(raw) || raw.length === 0) throw GatewayError.invalid(`'messages' must be a non-empty array.`, 'messages');
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  /** tool_call id → function name: a functionResponse is matched to its call by name. */
  const callNames = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: GeminiPart[]) => {
    if (!parts.length) return;
    const last = contents[contents.length - 1];
    // Gemini wants turns to alternate; consecutive messages of one role become one turn.
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  raw.forEach((m, i) => {
    const msg = m as { role?: unknown; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown; name?: unknown };
    const at = `messages[${i}]`;
    switch (msg?.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(msg.content, at));
        break;
      case 'user':
        push('user', userParts(msg.content, at));
        break;
      case 'assistant': {
        const parts: GeminiPart[] = msg.content === null || msg.content === undefined ? [] : textParts(msg.content, at);
        if (Array.isArray(msg.tool_calls)) {
          msg.tool_calls.forEach((call, j) => {
            const c = call as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
            const name = c?.function?.name;
            if (typeof name !== 'string' || !name) throw GatewayError.invalid(`${at}.tool_calls[${j}].function.name is required.`, `${at}.tool_calls`);
            if (typeof c.id === 'string') callNames.set(c.id, name);
            const part: GeminiPart = { functionCall: { name, args: parseArguments(c.function?.arguments, `${at}.tool_calls[${j}].function.arguments`) } };
            const signature = typeof c.id === 'string' ? thoughtSignatureOf(c.id) : undefined;
            if (signature) part.thoughtSignature = signature;
            parts.push(part);
          });
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const id = typeof msg.tool_call_id === 'string' ? msg.tool_call_id : '';
        const name = callNames.get(id) ?? (typeof msg.name === 'string' ? msg.name : undefined);
        if (!name) {
          throw GatewayError.invalid(`${at} answers tool call '${id}', which no earlier assistant message made; Gemini needs the function's name.`, `${at}.tool_call_id`);
        }
        push('user', [{ functionResponse: { name, response: toolResponse(msg.content) } }]);
        break;
      }
      default:
        throw GatewayError.invalid(`${at}.role '${String(msg?.role)}' is not supported for Gemini models.`, `${at}.role`);
    }
  });
  if (!contents.length) throw GatewayError.invalid('Gemini needs at least one user or assistant message besides the system prompt.', 'messages');
  return { systemInstruction: system.length ? { parts: system } : undefined, contents };
}

function textParts(content: unknown, at: string): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw GatewayError.invalid(`${at}.content must be a string or an array of content parts.`, `${at}.content`);
  return content.map((p, j) => {
    const part = p as { type?: unknown; text?: unknown };
    if (part?.type !== 'text' || typeof part.text !== 'string') {
      throw GatewayError.invalid(`${at}.content[${j}]: only text parts are allowed here.`, `${at}.content`);
    }
    return { text: part.text };
  });
}

const AUDIO_MIME: Readonly<Record<string, string>> = { wav: 'audio/wav', mp3: 'audio/mp3', flac: 'audio/flac', aac: 'audio/aac', ogg: 'audio/ogg' };
const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', heic: 'image/heic', heif: 'image/heif', pdf: 'application/pdf',
};

function userParts(content: unknown, at: string): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) throw GatewayError.invalid(`${at}.content must be a string or an array of content parts.`, `${at}.content`);
  return content.map((p, j): GeminiPart => {
    const part = p as { type?: unknown; text?: unknown; image_url?: unknown; input_audio?: { data?: unknown; format?: unknown }; file?: { file_data?: unknown } };
    const where = `${at}.content[${j}]`;
    switch (part?.type) {
      case 'text':
        if (typeof part.text !== 'string') throw GatewayError.invalid(`${where}.text must be a string.`, `${at}.content`);
        return { text: part.text };
      case 'image_url': {
        const url = typeof part.image_url === 'string' ? part.image_url : (part.image_url as { url?: unknown } | undefined)?.url;
        if (typeof url !== 'string') throw GatewayError.invalid(`${where}.image_url.url must be a string.`, `${at}.content`);
        return mediaPart(url, where);
      }
      case 'input_audio': {
        const mime = typeof part.input_audio?.format === 'string' ? AUDIO_MIME[part.input_audio.format] : undefined;
        if (typeof part.input_audio?.data !== 'string' || !mime) {
          throw GatewayError.invalid(`${where}.input_audio needs base64 data and a format (${Object.keys(AUDIO_MIME).join(', ')}).`, `${at}.content`);
        }
        return { inlineData: { mimeType: mime, data: part.input_audio.data } };
      }
      case 'file':
        if (typeof part.file?.file_data === 'string') return mediaPart(part.file.file_data, where);
        throw GatewayError.invalid(`${where}: only files sent inline as file_data (a data: URL) can be passed to Gemini; uploaded file ids cannot.`, `${at}.content`);
      default:
        throw GatewayError.invalid(`${where} has type '${String(part?.type)}', which cannot be translated for Gemini models.`, `${at}.content`);
    }
  });
}

/**
 * A data: URL travels inline. A remote file is referenced (fileData), never fetched by the
 * gateway: Gemini reads gs:// and its own Files API URLs (and Vertex public https URLs) itself,
 * and needs the type, which is taken from the extension; a URL without a known one is refused.
 */
function mediaPart(url: string, where: string): GeminiPart {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { inlineData: { mimeType: data[1], data: data[2] } };
  if (/^(https?|gs):\/\//i.test(url)) {
    const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(new URL(url.replace(/^gs:/i, 'https:')).pathname)?.[1]?.toLowerCase();
    const mimeType = ext ? MIME_BY_EXTENSION[ext] : undefined;
    if (mimeType) return { fileData: { mimeType, fileUri: url } };
    throw GatewayError.invalid(
      `${where}: the file type of '${url.slice(0, 200)}' cannot be told from its name, and the gateway does not download files; send it as a data: URL.`,
      where,
    );
  }
  throw GatewayError.invalid(`${where}: the URL must be a data: URL, or an http(s)/gs URL Gemini can read.`, where);
}

function parseArguments(args: unknown, param: string): JsonObject {
  if (args === undefined || args === null || args === '') return {};
  if (typeof args !== 'string') throw GatewayError.invalid(`${param} must be a JSON string.`, param);
  try {
    const value = JSON.parse(args);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  } catch {
    /* reported below */
  }
  throw GatewayError.invalid(`${param} must be a JSON object; Gemini takes function arguments as an object.`, param);
}

/** Gemini's functionResponse.response is an object: a JSON object result as is, anything else as `content`. */
function toolResponse(content: unknown): JsonObject {
  const text = typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p) => (typeof (p as { text?: unknown })?.text === 'string' ? (p as { text: string }).text : '')).join('')
      : JSON.stringify(content ?? '');
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as JsonObject;
  } catch {
    /* plain text */
  }
  return { content: text };
}

export function thoughtSignatureOf(callId: string): string | undefined {
  const at = callId.indexOf(THOUGHT_SIGNATURE_SEPARATOR);
  return at < 0 ? undefined : callId.slice(at + THOUGHT_SIGNATURE_SEPARATOR.length) || undefined;
}

function tools(v: unknown): JsonObject[] {
  if (!Array.isArray(v)) throw GatewayError.invalid(`'tools' must be an array.`, 'tools');
  if (!v.length) return [];
  const declarations = v.map((tool, i) => {
    const t = tool as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } };
    if (t?.type !== 'function') {
      throw GatewayError.invalid(`tools[${i}] has type '${String(t?.type)}'; only 'function' tools can be translated for Gemini models.`, `tools[${i}].type`);
    }
    const fn = t.function;
    if (!fn || typeof fn.name !== 'string' || !fn.name) throw GatewayError.invalid(`tools[${i}].function.name is required.`, `tools[${i}].function.name`);
    const out: JsonObject = { name: fn.name };
    if (typeof fn.description === 'string') out.description = fn.description;
    const params = fn.parameters as Record<string, unknown> | undefined;
    // A function without parameters has none in Gemini either; an empty object schema is refused.
    if (params && typeof params === 'object' && !(params.type === 'object' && !Object.keys((params.properties as object) ?? {}).length)) {
      out.parameters = toGeminiSchema(params);
    }
    return out;
  });
  return [{ functionDeclarations: declarations }];
}

function toolConfig(v: unknown): JsonObject {
  if (v === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (v === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (v === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = (v as { type?: unknown; function?: { name?: unknown } })?.function?.name;
  if ((v as { type?: unknown })?.type === 'function' && typeof name === 'string' && name) {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  throw GatewayError.invalid(`'tool_choice' must be 'auto', 'none', 'required' or {"type":"function","function":{"name":...}}.`, 'tool_choice');
}

function applyResponseFormat(v: unknown, d: Draft): void {
  const format = v as { type?: unknown; json_schema?: { schema?: unknown } };
  switch (format?.type) {
    case 'text':
      return;
    case 'json_object':
      d.generationConfig.responseMimeType = 'application/json';
      return;
    case 'json_schema': {
      const schema = format.json_schema?.schema;
      if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
        throw GatewayError.invalid(`'response_format.json_schema.schema' must be a JSON Schema object.`, 'response_format.json_schema.schema');
      }
      d.generationConfig.responseMimeType = 'application/json';
      if (schema) d.generationConfig.responseSchema = toGeminiSchema(schema as Record<string, unknown>);
      return;
    }
    default:
      throw GatewayError.invalid(`'response_format.type' must be text, json_object or json_schema.`, 'response_format.type');
  }
}

function num(v: unknown, param: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw GatewayError.invalid(`'${param}' must be a number.`, param);
  return v;
}

function int(v: unknown, param: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? Number.MIN_SAFE_INTEGER : 1)) {
    throw GatewayError.invalid(`'${param}' must be ${allowZero ? 'an integer' : 'a positive integer'}.`, param);
  }
  return v;
}

function stops(v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw GatewayError.invalid(`'stop' must be a string or an array of strings.`, 'stop');
  return list;
}
