import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { JsonObject } from '../../providers/provider-adapter.js';
import { isObject } from './bridge-json.js';

/**
 * Anthropic Messages request → Chat Completions request, for every provider that is not Anthropic.
 *
 * What has a chat equivalent is translated. What would change the meaning of the request if it
 * were silently lost (server tools, PDFs, MCP servers, images inside tool results, block types this
 * module does not know) is refused with a 400 naming the parameter, or dropped when drop_params is
 * in effect. Hints that only tune the call are dropped without asking: `top_k` (no chat field; the
 * OpenAI API rejects it as an unknown argument), `cache_control` (prompt caching is automatic or
 * absent on chat providers), `service_tier`, `context_management` and citation settings.
 * Thinking blocks in the history carry a signature only Anthropic can verify, so they never leave
 * for another provider. Top-level fields this module does not know are Anthropic API extras with no
 * meaning to a chat upstream, and are not sent.
 */
export interface MessagesToChatOptions {
  /** drop_params in effect for the deployment: unsupported features are dropped instead of refused. */
  readonly dropParams: boolean;
}

type ChatMessage = JsonObject & { role: string };

/** Anthropic budgets start at 1024 tokens; the bands mirror the Anthropic adapter's effort → budget table. */
function effortForBudget(budget: number): string {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

/** Anthropic's output_config.effort levels → chat reasoning_effort (which stops at high). */
const EFFORT: Readonly<Record<string, string>> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

export function messagesToChatRequest(body: JsonObject, opts: MessagesToChatOptions): JsonObject {
  return new RequestTranslator(opts.dropParams).translate(body);
}

class RequestTranslator {
  constructor(private readonly dropParams: boolean) {}

  translate(req: JsonObject): JsonObject {
    if (typeof req.model !== 'string' || req.model === '') throw GatewayError.invalid(`'model' is required.`, 'model');
    if (!Array.isArray(req.messages) || req.messages.length === 0) {
      throw GatewayError.invalid(`'messages' must be a non-empty array.`, 'messages');
    }
    if (typeof req.max_tokens !== 'number' || !Number.isInteger(req.max_tokens) || req.max_tokens < 1) {
      throw GatewayError.invalid(`'max_tokens' is required and must be a positive integer.`, 'max_tokens');
    }

    const messages: ChatMessage[] = [];
    const system = this.systemText(req.system);
    if (system) messages.push({ role: 'system', content: system });
    req.messages.forEach((m, i) => this.addMessage(messages, m, `messages[${i}]`));
    if (!messages.some((m) => m.role !== 'system')) {
      throw GatewayError.invalid(`'messages' must contain at least one message with content.`, 'messages');
    }

    const out: JsonObject = { model: req.model, messages, max_tokens: req.max_tokens };
    if (req.stop_sequences !== undefined && req.stop_sequences !== null) {
      if (!Array.isArray(req.stop_sequences) || !req.stop_sequences.every((s) => typeof s === 'string')) {
        throw GatewayError.invalid(`'stop_sequences' must be an array of strings.`, 'stop_sequences');
      }
      if (req.stop_sequences.length > 0) out.stop = req.stop_sequences;
    }
    if (typeof req.temperature === 'number') out.temperature = req.temperature;
    if (typeof req.top_p === 'number') out.top_p = req.top_p;
    const userId = isObject(req.metadata) ? req.metadata.user_id : undefined;
    if (typeof userId === 'string' && userId !== '') out.user = userId;

    const tools = this.tools(req.tools);
    if (tools.length > 0) out.tools = tools;
    this.toolChoice(req.tool_choice, tools.length > 0, out);
    this.reasoning(req, out);
    this.outputFormat(req, out);
    if (req.mcp_servers !== undefined && req.mcp_servers !== null && !(Array.isArray(req.mcp_servers) && req.mcp_servers.length === 0)) {
      this.unsupported('mcp_servers', 'Remote MCP servers (run by Anthropic on the model’s behalf)');
    }
    if (req.container !== undefined && req.container !== null) this.unsupported('container', 'A code-execution container');

    if (req.stream === true) {
      out.stream = true;
      // Anthropic streams always end with usage; chat streams carry it only when asked.
      out.stream_options = { include_usage: true };
    }
    return out;
  }

  private systemText(system: unknown): string | undefined {
    if (system === undefined || system === null) return undefined;
    if (typeof system === 'string') return system || undefined;
    if (!Array.isArray(system)) throw GatewayError.invalid(`'system' must be a string or an array of text blocks.`, 'system');
    const texts: string[] = [];
    system.forEach((block, i) => {
      if (isObject(block) && block.type === 'text') texts.push(requireString(block.text, `system[${i}].text`));
      else throw GatewayError.invalid(`'system[${i}]' must be a text block.`, `system[${i}]`);
    });
    // One string: some chat servers' templates accept nothing else for a system message.
    return texts.filter(Boolean).join('\n') || undefined;
  }

  private addMessage(messages: ChatMessage[], message: unknown, path: string): void {
    if (!isObject(message)) throw GatewayError.invalid(`'${path}' must be a message object.`, path);
    const content = message.content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      throw GatewayError.invalid(`'${path}.content' must be a string or an array of content blocks.`, `${path}.content`);
    }
    if (message.role === 'user') this.addUser(messages, content, `${path}.content`);
    else if (message.role === 'assistant') this.addAssistant(messages, content, `${path}.content`);
    else throw GatewayError.invalid(`'${path}.role' must be 'user' or 'assistant'.`, `${path}.role`);
  }

  /**
   * A user turn: its tool results become `tool` messages, which chat wants right after the
   * assistant's tool calls, so they go first; the rest of the turn follows as one user message.
   */
  private addUser(messages: ChatMessage[], content: string | unknown[], path: string): void {
    if (typeof content === 'string') {
      messages.push({ role: 'user', content });
      return;
    }
    const parts: JsonObject[] = [];
    content.forEach((block, j) => {
      const at = `${path}[${j}]`;
      if (!isObject(block)) throw GatewayError.invalid(`'${at}' must be a content block object.`, at);
      switch (block.type) {
        case 'text':
          parts.push({ type: 'text', text: requireString(block.text, `${at}.text`) });
          return;
        case 'image': {
          const image = this.image(block.source, `${at}.source`);
          if (image) parts.push(image);
          return;
        }
        case 'document':
          parts.push(...this.document(block, at));
          return;
        case 'tool_result':
          messages.push(this.toolResult(block, at));
          return;
        case 'thinking':
        case 'redacted_thinking':
          return;
        default:
          this.unsupported(at, `Content block type '${String(block.type)}'`);
      }
    });
    if (parts.length === 0) return;
    // A lone text part as a plain string is understood by every chat provider.
    messages.push({ role: 'user', content: parts.length === 1 && parts[0].type === 'text' ? parts[0].text : parts });
  }

  private addAssistant(messages: ChatMessage[], content: string | unknown[], path: string): void {
    if (typeof content === 'string') {
      messages.push({ role: 'assistant', content });
      return;
    }
    let text = '';
    const toolCalls: JsonObject[] = [];
    content.forEach((block, j) => {
      const at = `${path}[${j}]`;
      if (!isObject(block)) throw GatewayError.invalid(`'${at}' must be a content block object.`, at);
      switch (block.type) {
        case 'text':
          text += requireString(block.text, `${at}.text`);
          return;
        case 'tool_use': {
          const input = block.input ?? {};
          if (!isObject(input)) throw GatewayError.invalid(`'${at}.input' must be an object.`, `${at}.input`);
          toolCalls.push({
            id: requireString(block.id, `${at}.id`),
            type: 'function',
            function: { name: requireString(block.name, `${at}.name`), arguments: JSON.stringify(input) },
          });
          return;
        }
        case 'thinking':
        case 'redacted_thinking':
          // Signed for Anthropic alone; another provider neither verifies nor needs it.
          return;
        default:
          this.unsupported(at, `Content block type '${String(block.type)}'`);
      }
    });
    if (toolCalls.length > 0) messages.push({ role: 'assistant', content: text || null, tool_calls: toolCalls });
    else if (text) messages.push({ role: 'assistant', content: text });
  }

  private image(source: unknown, path: string): JsonObject | undefined {
    if (!isObject(source)) throw GatewayError.invalid(`'${path}' is required for an image block.`, path);
    if (source.type === 'base64') {
      const mediaType = requireString(source.media_type, `${path}.media_type`);
      return { type: 'image_url', image_url: { url: `data:${mediaType};base64,${requireString(source.data, `${path}.data`)}` } };
    }
    if (source.type === 'url') return { type: 'image_url', image_url: { url: requireString(source.url, `${path}.url`) } };
    this.unsupported(path, `An image source of type '${String(source.type)}' (uploaded files live at Anthropic)`);
    return undefined;
  }

  /** Text documents become text; a PDF (or a file uploaded to Anthropic) has no portable chat form. */
  private document(block: JsonObject, path: string): JsonObject[] {
    const source = block.source;
    if (!isObject(source)) throw GatewayError.invalid(`'${path}.source' is required for a document block.`, `${path}.source`);
    const title = typeof block.title === 'string' && block.title ? `${block.title}\n\n` : '';
    if (source.type === 'text') return [{ type: 'text', text: title + requireString(source.data, `${path}.source.data`) }];
    if (source.type === 'content') {
      if (typeof source.content === 'string') return [{ type: 'text', text: title + source.content }];
      if (!Array.isArray(source.content)) throw GatewayError.invalid(`'${path}.source.content' must be a string or an array.`, `${path}.source.content`);
      const parts: JsonObject[] = [];
      source.content.forEach((b, k) => {
        const at = `${path}.source.content[${k}]`;
        if (isObject(b) && b.type === 'text') parts.push({ type: 'text', text: requireString(b.text, `${at}.text`) });
        else if (isObject(b) && b.type === 'image') {
          const image = this.image(b.source, `${at}.source`);
          if (image) parts.push(image);
        } else this.unsupported(at, 'A document content block that is neither text nor image');
      });
      if (title && parts[0]?.type === 'text') parts[0] = { type: 'text', text: title + (parts[0].text as string) };
      return parts;
    }
    this.unsupported(`${path}.source`, `A document of source type '${String(source.type)}' (PDFs and uploaded files)`);
    return [];
  }

  private toolResult(block: JsonObject, path: string): ChatMessage {
    const id = requireString(block.tool_use_id, `${path}.tool_use_id`);
    let text = '';
    const content = block.content;
    if (typeof content === 'string') text = content;
    else if (Array.isArray(content)) {
      const texts: string[] = [];
      content.forEach((b, k) => {
        const at = `${path}.content[${k}]`;
        if (isObject(b) && b.type === 'text') texts.push(requireString(b.text, `${at}.text`));
        else this.unsupported(at, `A tool result block of type '${String(isObject(b) ? b.type : typeof b)}' (chat tool messages carry text only)`);
      });
      text = texts.join('\n');
    } else if (content !== undefined && content !== null) {
      throw GatewayError.invalid(`'${path}.content' must be a string or an array of content blocks.`, `${path}.content`);
    }
    // Chat has no error flag on tool messages: the model reads the failure from the text.
    if (block.is_error === true) text = text ? `Error: ${text}` : 'Error';
    return { role: 'tool', tool_call_id: id, content: text };
  }

  private tools(tools: unknown): JsonObject[] {
    if (tools === undefined || tools === null) return [];
    if (!Array.isArray(tools)) throw GatewayError.invalid(`'tools' must be an array.`, 'tools');
    const out: JsonObject[] = [];
    tools.forEach((tool, i) => {
      const at = `tools[${i}]`;
      if (!isObject(tool)) throw GatewayError.invalid(`'${at}' must be a tool object.`, at);
      // Custom tools carry no type (or 'custom'); every other type is a tool Anthropic defines or runs.
      if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
        this.unsupported(at, `The Anthropic-defined tool '${String(tool.type)}'`);
        return;
      }
      const fn: JsonObject = { name: requireString(tool.name, `${at}.name`) };
      if (typeof tool.description === 'string') fn.description = tool.description;
      if (!isObject(tool.input_schema)) throw GatewayError.invalid(`'${at}.input_schema' must be a JSON Schema object.`, `${at}.input_schema`);
      fn.parameters = tool.input_schema;
      if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
      out.push({ type: 'function', function: fn });
    });
    return out;
  }

  /** Never a tool_choice without tools: OpenAI and most peers reject it, and there is nothing to choose. */
  private toolChoice(choice: unknown, hasTools: boolean, out: JsonObject): void {
    if (choice === undefined || choice === null) return;
    if (!isObject(choice)) throw GatewayError.invalid(`'tool_choice' must be an object.`, 'tool_choice');
    if (!hasTools) return;
    switch (choice.type) {
      case 'auto':
        out.tool_choice = 'auto';
        break;
      case 'any':
        out.tool_choice = 'required';
        break;
      case 'tool':
        out.tool_choice = { type: 'function', function: { name: requireString(choice.name, 'tool_choice.name') } };
        break;
      case 'none':
        out.tool_choice = 'none';
        return;
      default:
        throw GatewayError.invalid(`'tool_choice.type' must be one of auto, any, tool, none.`, 'tool_choice.type');
    }
    if (choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }

  /**
   * thinking → reasoning_effort. Not every chat model reasons, and those that do not may refuse the
   * field, so under drop_params thinking is dropped rather than risked.
   */
  private reasoning(req: JsonObject, out: JsonObject): void {
    const thinking = req.thinking;
    const outputConfig = isObject(req.output_config) ? req.output_config : {};
    const effort = typeof outputConfig.effort === 'string' ? outputConfig.effort : undefined;
    let mapped: string | undefined;
    if (thinking !== undefined && thinking !== null) {
      if (!isObject(thinking)) throw GatewayError.invalid(`'thinking' must be an object.`, 'thinking');
      if (thinking.type === 'disabled') return;
      if (thinking.type === 'enabled') {
        if (typeof thinking.budget_tokens !== 'number') throw GatewayError.invalid(`'thinking.budget_tokens' is required.`, 'thinking.budget_tokens');
        mapped = effortForBudget(thinking.budget_tokens);
      } else if (thinking.type === 'adaptive') {
        mapped = (effort && EFFORT[effort]) || 'medium';
      } else {
        throw GatewayError.invalid(`'thinking.type' must be one of enabled, adaptive, disabled.`, 'thinking.type');
      }
    } else if (effort !== undefined) {
      mapped = EFFORT[effort];
      if (!mapped) {
        throw GatewayError.invalid(`'output_config.effort' must be one of ${Object.keys(EFFORT).join(', ')}.`, 'output_config.effort');
      }
    }
    if (mapped === undefined || this.dropParams) return;
    out.reasoning_effort = mapped;
  }

  /** Structured outputs: the beta `output_format` and its GA place `output_config.format`. */
  private outputFormat(req: JsonObject, out: JsonObject): void {
    const outputConfig = isObject(req.output_config) ? req.output_config : {};
    const format = req.output_format ?? outputConfig.format;
    const param = req.output_format !== undefined ? 'output_format' : 'output_config.format';
    if (format === undefined || format === null) return;
    if (!isObject(format) || format.type !== 'json_schema' || !isObject(format.schema)) {
      throw GatewayError.invalid(`'${param}' must be {"type": "json_schema", "schema": {…}}.`, param);
    }
    out.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema, strict: true } };
  }

  private unsupported(param: string, what: string): void {
    if (this.dropParams) return;
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      `Unsupported parameter '${param}': ${what} cannot be honoured by this model, because its provider is not Anthropic ` +
        `and the request is translated to Chat Completions, which has no equivalent. ` +
        `Remove it, or set drop_params: true to have unsupported parameters dropped.`,
      { param },
    );
  }
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw GatewayError.invalid(`'${path}' must be a string.`, path);
  return value;
}
