import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import type { RouterSettings } from '../config/config.types.js';
import { classifyFailure, countsAgainstDeployment, isContentPolicyError, isContextWindowError, isRetryableClass } from './failure-classifier.js';
import { planFallbacks } from './fallback-planner.js';

const rejected = (status: number, message = 'nope', code?: string) =>
  new GatewayError(ErrorCode.UpstreamRejected, `Upstream provider openai returned ${status}: ${message}`, {
    upstreamStatus: status,
    upstreamCode: code,
  });

describe('classifyFailure', () => {
  it.each([
    [new GatewayError(ErrorCode.UpstreamTimeout, 't'), 'timeout', true],
    [new GatewayError(ErrorCode.UpstreamError, '5xx', { upstreamStatus: 503 }), 'server', true],
    [new GatewayError(ErrorCode.UpstreamError, 'ECONNRESET'), 'connection', true],
    [rejected(429), 'rate_limit', true],
    [rejected(408), 'timeout', true],
    [rejected(400), 'client', false],
    [rejected(422), 'client', false],
    [rejected(401), 'deployment_rejected', false],
    [rejected(403), 'deployment_rejected', false],
    [rejected(404), 'deployment_rejected', false],
    [rejected(400, 'x', 'context_length_exceeded'), 'context_window', false],
    [new GatewayError(ErrorCode.NoHealthyDeployment, 'cooling'), 'no_healthy', false],
    [GatewayError.invalid('bad'), 'client', false],
    [new Error('bug'), 'internal', false],
  ])('%s → %s', (err, expected, retryable) => {
    expect(classifyFailure(err)).toBe(expected);
    expect(isRetryableClass(classifyFailure(err))).toBe(retryable);
  });

  it.each([
    "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
    'prompt is too long: 210000 tokens > 200000 maximum',
    'Input is too long for requested model.',
    'Please reduce the length of the messages or completion.',
    'context window exceeded',
  ])('recognises context-length wording: %s', (message) => {
    expect(isContextWindowError(rejected(400, message))).toBe(true);
  });

  it('does not mistake other 400s or non-400s for context-length errors', () => {
    expect(isContextWindowError(rejected(400, 'temperature must be <= 2'))).toBe(false);
    expect(isContextWindowError(rejected(429, 'too many tokens per minute'))).toBe(false);
  });
});

describe('planFallbacks', () => {
  const settings = {
    fallbacks: { primary: ['b1', 'b2'], gpt4: ['via-alias'], 'fw/*': ['wild-backup'], 'fw/special': ['special-backup'] },
    contextWindowFallbacks: { primary: ['big'] },
    contentPolicyFallbacks: { primary: ['lenient'] },
    defaultFallbacks: ['default-1'],
  } as unknown as RouterSettings;
  const resolution = (requestedName: string, group: string, aliasChain: string[] = []): Parameters<typeof planFallbacks>[1] => ({
    requestedName,
    group,
    aliasChain,
  });

  it('keys on the name sent, then each alias, then the group', () => {
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'server')).toEqual(['b1', 'b2']);
    expect(planFallbacks(settings, resolution('gpt4', 'primary', ['gpt4']), 'server')).toEqual(['via-alias']);
    expect(planFallbacks(settings, resolution('other-alias', 'primary', ['other-alias']), 'timeout')).toEqual(['b1', 'b2']);
    expect(planFallbacks(settings, resolution('fw/x', 'fw/*'), 'rate_limit')).toEqual(['wild-backup']);
    expect(planFallbacks(settings, resolution('fw/special', 'fw/*'), 'rate_limit')).toEqual(['special-backup']);
  });

  it('uses default_fallbacks when nothing is keyed, and context_window_fallbacks only for context errors', () => {
    expect(planFallbacks(settings, resolution('lonely', 'lonely'), 'connection')).toEqual(['default-1']);
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'context_window')).toEqual(['big']);
    expect(planFallbacks(settings, resolution('lonely', 'lonely'), 'context_window')).toEqual([]);
  });

  it('a content-policy refusal goes to content_policy_fallbacks only, never to fallbacks or default_fallbacks', () => {
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'content_policy')).toEqual(['lenient']);
    expect(planFallbacks(settings, resolution('lonely', 'lonely'), 'content_policy')).toEqual([]);
  });

  it('a "*" entry in fallbacks is a catch-all, as LiteLLM writes default_fallbacks', () => {
    const star = { ...settings, fallbacks: { primary: ['b1'], '*': ['any'] } } as unknown as RouterSettings;
    expect(planFallbacks(star, resolution('lonely', 'lonely'), 'server')).toEqual(['any']);
    expect(planFallbacks(star, resolution('primary', 'primary'), 'server')).toEqual(['b1']);
    expect(planFallbacks(star, resolution('lonely', 'lonely'), 'content_policy')).toEqual([]);
  });

  it('never falls back for a request that is itself wrong', () => {
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'client')).toEqual([]);
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'internal')).toEqual([]);
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'no_healthy')).toEqual(['b1', 'b2']);
    expect(planFallbacks(settings, resolution('primary', 'primary'), 'deployment_rejected')).toEqual(['b1', 'b2']);
  });
});

describe('content-policy refusals', () => {
  const withCode = (status: number, code: string, message = 'refused') =>
    new GatewayError(ErrorCode.UpstreamRejected, `Upstream provider x returned ${status}: ${message}`, { upstreamStatus: status, upstreamCode: code });

  it.each([
    ['OpenAI content_policy_violation', withCode(400, 'content_policy_violation')],
    ['Azure content_filter', withCode(400, 'content_filter')],
    ['an inner code passed as the code', withCode(400, 'ResponsibleAIPolicyViolation')],
    ['Azure wording', rejected(400, "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.")],
    ['Anthropic wording', rejected(400, 'Output blocked by content filtering policy')],
    ['OpenAI safety-system wording', rejected(400, 'Your request was rejected as a result of our safety system.')],
  ])('%s is content_policy: not retried, no cooldown', (_name, err) => {
    expect(isContentPolicyError(err)).toBe(true);
    expect(classifyFailure(err)).toBe('content_policy');
    expect(isRetryableClass('content_policy')).toBe(false);
    expect(countsAgainstDeployment('content_policy')).toBe(false);
  });

  it('does not mistake other 400s, 5xx or a context-length error for a refusal', () => {
    expect(isContentPolicyError(rejected(400, 'temperature must be <= 2'))).toBe(false);
    expect(classifyFailure(rejected(400, 'x', 'context_length_exceeded'))).toBe('context_window');
    expect(classifyFailure(new GatewayError(ErrorCode.UpstreamError, 'content filter crashed', { upstreamStatus: 500 }))).toBe('server');
    expect(classifyFailure(rejected(429, 'content_filter busy'))).toBe('rate_limit');
  });
});
