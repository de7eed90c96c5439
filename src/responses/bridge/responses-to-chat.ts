import { ErrorCode, GatewayError, truncate } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import type { ThinkingBlock } from '../../providers/anthropic/thinking-blocks.js';
import { decodeThinking } from './reasoning-carrier.js';

/**
 * Responses API request → Chat Completions request, for providers that only speak chat.
 *
 * Everything with a chat equivalent is translated; Responses-only features (conversations,
 * background runs, built-in tools) have none, so they are rejected with a 400 naming the parameter,
 * or dropped when drop_params is in effect. previous_response_id and item_reference are resolved
 * by the caller from the conversation store and come in as `history` and `lookupItem`. Fields the
 * gateway does not know are passed through, like on every inference endpoint: the upstream is the
 * judge of provider-specific extras.
 */
export interface BridgeRequestOptions {
  /** drop_params in effect for the deployment: unsupported features are dropped instead of rejected. */
  readonly dropParams: boolean;
  /** Real OpenAI wants max_completion_tokens (reasoning models refuse max_tokens); everyone else knows max_tokens. */
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** For error messages: the name the client sent and the provider serving it. */
  readonly modelName: string;
  readonly provider: string;
  /** Output items of earlier bridged responses, to resolve `item_reference` inputs. */
  readonly lookupItem?: (id: string) => JsonObject | undefined;
  /** The conversation a previous_response_id stands for (its input and output items): sent before `input`. */
  readonly history?: readonly JsonObject[];
}

export interface BridgedChatRequest {
  readonly body: JsonObject;
  /** Parameters dropped under drop_params, as paths into the request (for logs). */
  readonly dropped: readonly string[];
}

/** Fields this module consumes; anything else goes upstream as sent. */
const HANDLED = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'max_output_tokens', 'temperature', 'top_p',
  'reasoning', 'parallel_tool_calls', 'metadata', 'stream', 'stream_options', 'store', 'include', 'truncation',
  'max_tool_calls', 'top_logprobs', 'previous_response_id', 'background', 'conversation', 'prompt',
]);

type ChatMessage = JsonObject & { role: string };

export function responsesToChat(request: JsonObject, options: BridgeRequestOptions): BridgedChatRequest {
  return new RequestTranslator(options).translate(request);
}

class RequestTranslator {
  private readonly dropped: string[] = [];
  /** Thinking blocks of reasoning items waiting for the assistant turn they belong to. */
  private pendingThinking?: ThinkingBlock[];

  constructor(private readonly options: BridgeRequestOptions) {}

  translate(req: JsonObject): BridgedChatRequest {
    this.rejectStatefulFeatures(req);

    const messages: ChatMessage[] = [];
    if (typeof req.instructions === 'string' && req.instructions.length > 0) {
      messages.push({ role: 'system', content: req.instructions });
    } else if (Array.isArray(req.instructions)) {
      req.instructions.forEach((item, i) => this.addItem(messages, item, `instructions[${i}]`));
    }
    // As at OpenAI, this request's instructions come first and the previous response's do not carry over.
    this.options.history?.forEach((item, i) => this.addItem(messages, item, `previous_response_id[${i}]`));
    if (typeof req.input === 'string') {
      messages.push({ role: 'user', content: req.input });
    } else if (Array.isArray(req.input)) {
      req.input.forEach((item, i) => this.addItem(messages, item, `input[${i}]`));
    }
    if (messages.length === 0) {
      throw GatewayError.invalid('`input` (or `instructions`) is required: there is nothing to send to the model.', 'input');
    }

    const body: JsonObject = {};
    for (const [key, value] of Object.entries(req)) {
      if (!HANDLED.has(key)) body[key] = value;
    }
    body.model = req.model;
    body.messages = messages;

    const tools = this.tools(req.tools);
    if (tools.length > 0) {
      body.tools = tools;
      if (typeof req.parallel_tool_calls === 'boolean') body.parallel_tool_calls = req.parallel_tool_calls;
    }
    const toolChoice = this.toolChoice(req.tool_choice, tools.length > 0);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;

    this.textConfig(req.text, body);
    if (typeof req.max_output_tokens === 'number') body[this.options.maxTokensField] = req.max_output_tokens;
    if (req.temperature !== undefined && req.temperature !== null) body.temperature = req.temperature;
    if (req.top_p !== undefined && req.top_p !== null) body.top_p = req.top_p;
    const effort = (req.reasoning as JsonObject | null | undefined)?.effort;
    if (typeof effort === 'string') body.reasoning_effort = effort;
    if (typeof req.top_logprobs === 'number' && req.top_logprobs > 0) {
      this.unsupported('top_logprobs', 'Log probabilities');
    }
    if (req.stream === true) {
      body.stream = true;
      // Responses streams end with usage; chat streams carry it only when asked.
      body.stream_options = { include_usage: true };
    }
    return { body, dropped: this.dropped };
  }

  /** Features that need OpenAI's server-side state or background workers. */
  private rejectStatefulFeatures(req: JsonObject): void {
    if (req.conversation !== undefined && req.conversation !== null) this.unsupported('conversation', 'Conversations');
    if (req.background === true) this.unsupported('background', 'Background responses');
    if (req.prompt !== undefined && req.prompt !== null) this.unsupported('prompt', 'Stored prompt templates');
  }

  private addItem(messages: ChatMessage[], item: unknown, path: string, viaReference = false): void {
    if (!isObject(item)) throw GatewayError.invalid(`Invalid '${path}': must be an input item object.`, path);
    const type = item.type ?? (typeof item.role === 'string' ? 'message' : undefined);
    switch (type) {
      case 'message':
        this.addMessage(messages, item, path);
        return;
      case 'function_call':
        this.addFunctionCall(messages, item, path);
        return;
      case 'function_call_output':
        messages.push({ role: 'tool', tool_call_id: requireString(item.call_id, `${path}.call_id`), content: this.toolOutput(item.output, `${path}.output`) });
        return;
      case 'item_reference': {
        const id = requireString(item.id, `${path}.id`);
        const stored = viaReference ? undefined : this.options.lookupItem?.(id);
        if (stored) this.addItem(messages, stored, path, true);
        else if (this.options.dropParams) this.dropped.push(path);
        else {
          throw GatewayError.invalid(
            `Invalid '${path}': the item_reference '${truncate(id, 200)}' matches no output item of an earlier response kept for this key. ` +
              `Responses of models without a native Responses API are kept for general_settings.responses_store_ttl seconds, ` +
              `and not at all with store: false; send the item itself instead.`,
            path,
          );
        }
        return;
      }
      case 'reasoning': {
        // Chat models take no earlier reasoning as input, except Anthropic's signed thinking
        // blocks: they go back on the assistant turn that follows (see reasoning-carrier.ts).
        const thinking = decodeThinking(item.encrypted_content);
        if (thinking) this.pendingThinking = [...(this.pendingThinking ?? []), ...thinking];
        return;
      }
      default:
        this.unsupported(path, `Input item type '${String(type)}'`);
    }
  }

  private addMessage(messages: ChatMessage[], item: JsonObject, path: string): void {
    const role = item.role;
    switch (role) {
      case 'user':
        // Thinking belongs to the assistant turn right after it; a user message in between ends that.
        this.pendingThinking = undefined;
        messages.push({ role: 'user', content: this.userContent(item.content, `${path}.content`) });
        return;
      case 'assistant':
        messages.push(this.withThinking({ role: 'assistant', content: this.assistantContent(item.content, `${path}.content`) }));
        return;
      case 'system':
      case 'developer':
        // `developer` is OpenAI's newer name for system; most chat providers only know `system`.
        messages.push({ role: 'system', content: this.plainText(item.content, `${path}.content`) });
        return;
      default:
        throw GatewayError.invalid(`Invalid '${path}.role': must be one of user, assistant, system, developer.`, `${path}.role`);
    }
  }

  /** Consecutive function calls (and the assistant text before them) are one chat assistant turn. */
  private addFunctionCall(messages: ChatMessage[], item: JsonObject, path: string): void {
    const call = {
      id: requireString(item.call_id, `${path}.call_id`),
      type: 'function',
      function: { name: requireString(item.name, `${path}.name`), arguments: typeof item.arguments === 'string' ? item.arguments : '{}' },
    };
    const last = messages[messages.length - 1];
    if (last?.role === 'assistant') {
      last.tool_calls = [...((last.tool_calls as unknown[] | undefined) ?? []), call];
      return;
    }
    messages.push(this.withThinking({ role: 'assistant', content: null, tool_calls: [call] }));
  }

  /** The thinking blocks of the reasoning items just before this assistant turn, if any. */
  private withThinking(message: ChatMessage): ChatMessage {
    if (this.pendingThinking) {
      message.thinking_blocks = this.pendingThinking;
      this.pendingThinking = undefined;
    }
    return message;
  }

  private userContent(content: unknown, path: string): unknown {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) throw GatewayError.invalid(`Invalid '${path}': must be a string or an array of content parts.`, path);
    const parts: JsonObject[] = [];
    content.forEach((part, j) => {
      const converted = this.userPart(part, `${path}[${j}]`);
      if (converted) parts.push(converted);
    });
    // A lone text part as a plain string is understood by every chat provider.
    if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
    return parts;
  }

  private userPart(part: unknown, path: string): JsonObject | undefined {
    if (!isObject(part)) throw GatewayError.invalid(`Invalid '${path}': must be a content part object.`, path);
    switch (part.type) {
      case 'input_text':
      case 'output_text':
      case 'text':
        return { type: 'text', text: requireString(part.text, `${path}.text`) };
      case 'input_image': {
        if (typeof part.image_url === 'string') {
          const imageUrl: JsonObject = { url: part.image_url };
          if (typeof part.detail === 'string') imageUrl.detail = part.detail;
          return { type: 'image_url', image_url: imageUrl };
        }
        if (part.file_id !== undefined && part.file_id !== null) {
          this.unsupported(`${path}.file_id`, 'An image given by file_id (uploaded files live at OpenAI)');
          return undefined;
        }
        throw GatewayError.invalid(`Invalid '${path}': an input_image needs an image_url.`, `${path}.image_url`);
      }
      case 'input_file': {
        if (typeof part.file_data === 'string') {
          const file: JsonObject = { file_data: part.file_data };
          if (typeof part.filename === 'string') file.filename = part.filename;
          return { type: 'file', file };
        }
        this.unsupported(`${path}`, 'A file given by file_id or file_url (only inline file_data can be bridged)');
        return undefined;
      }
      default:
        this.unsupported(path, `Content part type '${String(part.type)}'`);
        return undefined;
    }
  }

  private assistantContent(content: unknown, path: string): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) throw GatewayError.invalid(`Invalid '${path}': must be a string or an array of content parts.`, path);
    let text = '';
    content.forEach((part, j) => {
      if (!isObject(part)) throw GatewayError.invalid(`Invalid '${path}[${j}]': must be a content part object.`, `${path}[${j}]`);
      if (part.type === 'output_text' || part.type === 'input_text' || part.type === 'text') text += requireString(part.text, `${path}[${j}].text`);
      else if (part.type === 'refusal') text += requireString(part.refusal, `${path}[${j}].refusal`);
      else this.unsupported(`${path}[${j}]`, `Assistant content part type '${String(part.type)}'`);
    });
    return text;
  }

  private plainText(content: unknown, path: string): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) throw GatewayError.invalid(`Invalid '${path}': must be a string or an array of content parts.`, path);
    const texts: string[] = [];
    content.forEach((part, j) => {
      if (isObject(part) && (part.type === 'input_text' || part.type === 'text')) texts.push(requireString(part.text, `${path}[${j}].text`));
      else this.unsupported(`${path}[${j}]`, 'Non-text content in a system or developer message');
    });
    return texts.join('\n');
  }

  private toolOutput(output: unknown, path: string): string {
    if (typeof output === 'string') return output;
    if (!Array.isArray(output)) throw GatewayError.invalid(`Invalid '${path}': must be a string or an array of content parts.`, path);
    const texts: string[] = [];
    output.forEach((part, j) => {
      if (isObject(part) && (part.type === 'input_text' || part.type === 'output_text')) texts.push(requireString(part.text, `${path}[${j}].text`));
      else this.unsupported(`${path}[${j}]`, 'Non-text function call output (chat tool messages carry text only)');
    });
    return texts.join('\n');
  }

  private tools(tools: unknown): JsonObject[] {
    if (tools === undefined || tools === null) return [];
    if (!Array.isArray(tools)) throw GatewayError.invalid(`Invalid 'tools': must be an array.`, 'tools');
    const out: JsonObject[] = [];
    tools.forEach((tool, i) => {
      if (!isObject(tool)) throw GatewayError.invalid(`Invalid 'tools[${i}]': must be a tool object.`, `tools[${i}]`);
      if (tool.type !== 'function') {
        this.unsupported(`tools[${i}]`, `The built-in tool '${String(tool.type)}'`);
        return;
      }
      // Chat nests the definition under `function`; Responses keeps it flat.
      const fn: JsonObject = { name: requireString(tool.name, `tools[${i}].name`) };
      if (typeof tool.description === 'string') fn.description = tool.description;
      if (tool.parameters !== undefined && tool.parameters !== null) fn.parameters = tool.parameters;
      if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
      out.push({ type: 'function', function: fn });
    });
    return out;
  }

  private toolChoice(choice: unknown, hasTools: boolean): unknown {
    if (choice === undefined || choice === null) return undefined;
    // OpenAI rejects a tool_choice without tools; with none left there is nothing to choose from.
    if (typeof choice === 'string') return hasTools ? choice : undefined;
    if (!isObject(choice)) throw GatewayError.invalid(`Invalid 'tool_choice'.`, 'tool_choice');
    if (choice.type === 'function') {
      return { type: 'function', function: { name: requireString(choice.name, 'tool_choice.name') } };
    }
    if (choice.type === 'allowed_tools') {
      const allowed = Array.isArray(choice.tools) ? choice.tools : [];
      const names = allowed.map((t, i) => {
        if (!isObject(t) || t.type !== 'function') {
          this.unsupported(`tool_choice.tools[${i}]`, 'Allowing a built-in tool');
          return undefined;
        }
        return { type: 'function', function: { name: requireString(t.name, `tool_choice.tools[${i}].name`) } };
      });
      return { type: 'allowed_tools', allowed_tools: { mode: choice.mode ?? 'auto', tools: names.filter(Boolean) } };
    }
    this.unsupported('tool_choice', `tool_choice of type '${String(choice.type)}'`);
    return undefined;
  }

  private textConfig(text: unknown, body: JsonObject): void {
    if (!isObject(text)) return;
    const format = text.format;
    if (isObject(format)) {
      switch (format.type) {
        case 'text':
          break; // the chat default; some providers reject an explicit {type:'text'}
        case 'json_object':
          body.response_format = { type: 'json_object' };
          break;
        case 'json_schema': {
          const schema: JsonObject = { name: typeof format.name === 'string' ? format.name : 'response' };
          if (typeof format.description === 'string') schema.description = format.description;
          if (format.schema !== undefined) schema.schema = format.schema;
          if (typeof format.strict === 'boolean') schema.strict = format.strict;
          body.response_format = { type: 'json_schema', json_schema: schema };
          break;
        }
        default:
          throw GatewayError.invalid(`Invalid 'text.format.type': must be text, json_object or json_schema.`, 'text.format.type');
      }
    }
    if (typeof text.verbosity === 'string') body.verbosity = text.verbosity;
  }

  private unsupported(param: string, what: string): void {
    if (this.options.dropParams) {
      this.dropped.push(param);
      return;
    }
    const { modelName, provider } = this.options;
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      `Unsupported parameter '${param}': ${what} is not available for model '${modelName}', because provider ${provider} ` +
        `has no native Responses API and the request is translated to Chat Completions, which has no equivalent. ` +
        `Remove it, or set drop_params: true to have unsupported parameters dropped.`,
      { param },
    );
  }
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw GatewayError.invalid(`Invalid '${path}': must be a string.`, path);
  return value;
}
