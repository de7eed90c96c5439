import { mapError } from '../../common/error-mapping.js';
import { classifyFailure } from '../../routing/failure-classifier.js';
import { upstreamErrorFromDetails } from '../upstream-http.js';
import { googleErrorDetails } from './gemini-errors.js';

function mapped(status: number, error: Record<string, unknown>) {
  const text = JSON.stringify({ error });
  const err = upstreamErrorFromDetails('gemini', googleErrorDetails(status, text)!, text, ['AIza-secret']);
  return { err, http: mapError(err), cls: classifyFailure(err) };
}

describe('Google error bodies → the gateway taxonomy', () => {
  it('RESOURCE_EXHAUSTED is a 429 rate limit with Retry-After from RetryInfo', () => {
    const { err, http, cls } = mapped(429, {
      code: 429,
      message: 'Quota exceeded',
      status: 'RESOURCE_EXHAUSTED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' }],
    });
    expect([http.status, cls, err.retryAfterSeconds]).toEqual([429, 'rate_limit', 13]);
  });

  it('INVALID_ARGUMENT is a 400 client error; a too-long prompt is a context-window error', () => {
    expect(mapped(400, { code: 400, message: 'bad field', status: 'INVALID_ARGUMENT' }).cls).toBe('client');
    const long = mapped(400, { code: 400, message: 'The input token count (2000000) exceeds the maximum number of tokens allowed (1048576).', status: 'INVALID_ARGUMENT' });
    expect([long.http.status, long.cls]).toEqual([400, 'context_window']);
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
  ])('%s %s is the deployment being rejected, and keys are cut out of the message', (status, name) => {
    const { http, cls } = mapped(status, { code: status, message: 'API key AIza-secret not valid', status: name });
    expect([http.status, cls]).toEqual([status, 'deployment_rejected']);
    expect(http.body.error.message).not.toContain('AIza-secret');
  });

  it.each([
    [503, 'UNAVAILABLE'],
    [500, 'INTERNAL'],
  ])('%s %s is a retryable server error', (status, name) => {
    expect(mapped(status, { code: status, message: 'try later', status: name }).cls).toBe('server');
  });

  it('an in-stream error (HTTP 200) takes its status from the Google code name', () => {
    expect(googleErrorDetails(0, JSON.stringify({ error: { message: 'x', status: 'UNAVAILABLE' } }))?.status).toBe(503);
  });

  it("Anthropic's error shape (Claude on Vertex) is left to the default reading", () => {
    expect(googleErrorDetails(529, JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }))).toBeUndefined();
  });
});
