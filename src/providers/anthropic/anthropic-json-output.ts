import { GatewayError } from '../../common/gateway-error.js';
import type { AnthropicTool } from './anthropic-wire.types.js';

/**
 * OpenAI's response_format carried over to Anthropic as a forced tool call: the tool's input
 * schema is the requested JSON schema, and the input Claude writes is handed back to the client
 * as the message content. Every Claude model supports tool use, so this works where a native
 * JSON mode would depend on the model and on beta flags.
 */

/**
 * The gateway's tool. Prefixed with the gateway's name so that no client tool is likely to
 * carry it; a request where one does is refused rather than answered through the wrong tool.
 */
export const JSON_TOOL_NAME = 'switchboard_json_response';

const JSON_TOOL_DESCRIPTION =
  'Give your complete answer by calling this tool exactly once; its input is the answer itself, as JSON following the input schema.';

/** What response_format asked for, as read from the request. */
export interface JsonOutput {
  readonly schema: Record<string, unknown>;
  readonly description?: string;
}

/** What the response translators need to recognise and unpack the gateway's tool call. */
export interface JsonOutputTool {
  readonly name: string;
  /** The schema root was not an object, so the value travels as the tool input's `value`. */
  readonly wrapped: boolean;
}

/** Keywords that belong at the root of a schema document, where `$ref`s resolve from. */
const ROOT_KEYWORDS = ['$schema', '$defs', 'definitions'] as const;

/** Chat `response_format` → what it asks for; undefined for plain text. */
export function readResponseFormat(v: unknown): JsonOutput | undefined {
  const format = v as { type?: unknown; json_schema?: unknown };
  switch (format?.type) {
    case 'text':
      return undefined;
    case 'json_object':
      // Any object will do, as in OpenAI's JSON mode.
      return { schema: { type: 'object', additionalProperties: true } };
    case 'json_schema': {
      const spec = format.json_schema as { schema?: unknown; description?: unknown } | undefined;
      if (!isObject(spec)) {
        throw GatewayError.invalid(`'response_format.json_schema' must be an object.`, 'response_format.json_schema');
      }
      if (spec.schema !== undefined && !isObject(spec.schema)) {
        throw GatewayError.invalid(`'response_format.json_schema.schema' must be a JSON Schema object.`, 'response_format.json_schema.schema');
      }
      // `strict` has no portable counterpart: Anthropic validates tool input against the schema
      // only with a beta flag on some models, so the schema guides the model and is not enforced.
      return {
        schema: spec.schema ?? { type: 'object', additionalProperties: true },
        ...(typeof spec.description === 'string' && spec.description ? { description: spec.description } : {}),
      };
    }
    default:
      throw GatewayError.invalid(`'response_format.type' must be text, json_object or json_schema.`, 'response_format.type');
  }
}

/**
 * The tool that carries the answer. Anthropic only takes object input schemas, so any other
 * root (an array, a string, a union) is wrapped as the one required property `value`.
 */
export function jsonOutputTool(output: JsonOutput): { tool: AnthropicTool; info: JsonOutputTool } {
  const description = output.description ? `${JSON_TOOL_DESCRIPTION} ${output.description}` : JSON_TOOL_DESCRIPTION;
  if (output.schema.type === 'object') {
    return { tool: { name: JSON_TOOL_NAME, description, input_schema: output.schema }, info: { name: JSON_TOOL_NAME, wrapped: false } };
  }
  const inner: Record<string, unknown> = { ...output.schema };
  const wrapper: Record<string, unknown> = { type: 'object' };
  for (const key of ROOT_KEYWORDS) {
    if (key in inner) {
      wrapper[key] = inner[key];
      delete inner[key];
    }
  }
  Object.assign(wrapper, { properties: { value: inner }, required: ['value'] });
  return { tool: { name: JSON_TOOL_NAME, description, input_schema: wrapper }, info: { name: JSON_TOOL_NAME, wrapped: true } };
}

/** The gateway tool's input → the JSON text the client receives as content. */
export function jsonContent(input: unknown, tool: JsonOutputTool): string {
  const value = tool.wrapped ? (input as { value?: unknown } | null | undefined)?.value : input;
  // A model cut short by max_tokens may leave the input empty; null is still parseable.
  return JSON.stringify(value ?? (tool.wrapped ? null : {}));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
