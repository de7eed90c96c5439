/**
 * LiteLLM's provider inference for a `model` with no `provider/` prefix (get_llm_provider: its
 * per-provider model lists, which name these families). Kept as prefix/pattern rules rather
 * than a model list so a new dated snapshot (claude-…-20991231) is not a config error.
 * The first matching rule wins: OpenAI's completions-only models come before its gpt-/davinci- rule.
 */
const RULES: readonly { readonly provider: string; readonly pattern: RegExp }[] = [
  // LiteLLM's open_ai_text_completion_models: served on /v1/completions only.
  { provider: 'text-completion-openai', pattern: /^(gpt-3\.5-turbo-instruct($|-)|davinci-002$|babbage-002$|text-davinci-|text-curie-|text-babbage-|text-ada-)/ },
  // OpenAI: chat, reasoning, embeddings, images, audio, moderation, legacy completions.
  { provider: 'openai', pattern: /^(gpt-|chatgpt-|o1($|-)|o3($|-)|o4-|text-embedding-(3|ada)|dall-e-|whisper-|tts-|omni-moderation|text-moderation|gpt-image-|davinci-|babbage-|computer-use-)/ },
  { provider: 'anthropic', pattern: /^claude-/ },
  // LiteLLM lists unprefixed gemini-* under Vertex AI; Google AI Studio needs `gemini/`.
  { provider: 'vertex_ai', pattern: /^(gemini-|text-bison|chat-bison|code-bison|codechat-bison|textembedding-gecko|text-embedding-00|text-multilingual-embedding-)/ },
  { provider: 'mistral', pattern: /^(mistral-(tiny|small|medium|large|embed|saba|ocr)|open-mistral-|open-mixtral-|codestral-|pixtral-|ministral-|magistral-|devstral-)/ },
  { provider: 'cohere', pattern: /^(command($|-)|embed-(english|multilingual)-|rerank-)/ },
  { provider: 'voyage', pattern: /^voyage-/ },
  { provider: 'deepseek', pattern: /^deepseek-(chat|reasoner|coder)$/ },
  { provider: 'xai', pattern: /^grok-/ },
];

/** The provider LiteLLM would pick for an unprefixed model id, or undefined when it names no known family. */
export function inferProvider(model: string): string | undefined {
  return RULES.find((r) => r.pattern.test(model))?.provider;
}
