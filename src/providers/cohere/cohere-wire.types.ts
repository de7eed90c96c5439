/**
 * The parts of Cohere's v2 API (https://docs.cohere.com/v2/reference) the adapter reads and
 * writes. Only what the translators use is typed; everything else is passed over as JSON.
 */

export type CohereRole = 'system' | 'user' | 'assistant' | 'tool';

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'thinking'; thinking: string };

export interface CohereMessage {
  role: CohereRole;
  content?: string | CohereContentBlock[];
  tool_calls?: CohereToolCall[];
  tool_call_id?: string;
}

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  stream?: boolean;
  tools?: CohereTool[];
  tool_choice?: 'REQUIRED' | 'NONE';
  temperature?: number;
  p?: number;
  k?: number;
  max_tokens?: number;
  stop_sequences?: string[];
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  response_format?: { type: 'text' } | { type: 'json_object'; json_schema?: Record<string, unknown> };
  [native: string]: unknown;
}

export interface CohereUsage {
  billed_units?: { input_tokens?: number; output_tokens?: number; search_units?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  cached_tokens?: number;
}

export type CohereFinishReason = 'COMPLETE' | 'STOP_SEQUENCE' | 'MAX_TOKENS' | 'TOOL_CALL' | 'ERROR' | 'TIMEOUT';

export interface CohereChatResponse {
  id: string;
  finish_reason?: CohereFinishReason | string;
  message?: {
    role?: 'assistant';
    content?: CohereContentBlock[];
    tool_calls?: Partial<CohereToolCall>[];
    tool_plan?: string;
    citations?: unknown[];
  };
  usage?: CohereUsage;
}

export interface CohereEmbedResponse {
  id?: string;
  embeddings?: { float?: number[][]; [type: string]: unknown };
  meta?: { billed_units?: { input_tokens?: number; images?: number } };
}

export interface CohereRerankResponse {
  id?: string;
  results?: { index: number; relevance_score: number; document?: unknown }[];
  meta?: Record<string, unknown>;
}
