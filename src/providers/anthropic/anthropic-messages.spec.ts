import { ErrorCode, GatewayError } from '../../common/gateway-error.js';
import type { SseEvent } from '../provider-adapter.js';
import { anthropicCallHeaders, forwardedAnthropicHeaders, nativeMessageEvents } from './anthropic-messages.js';

async function collect(events: AsyncIterable<SseEvent>): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function* from(events: SseEvent[]): AsyncGenerator<SseEvent> {
  yield* events;
}

describe('forwardedAnthropicHeaders', () => {
  it('keeps only anthropic-version and anthropic-beta', () => {
    expect(
      forwardedAnthropicHeaders({
        'anthropic-version': '2023-06-01',
        'anthropic-beta': ['a', 'b'],
        'x-api-key': 'sk-secret',
        authorization: 'Bearer sk-secret',
        'x-app': 'cli',
      }),
    ).toEqual({ 'anthropic-version': '2023-06-01', 'anthropic-beta': 'a,b' });
  });
});

describe('anthropicCallHeaders', () => {
  it('defaults the version and keeps other configured headers', () => {
    expect(anthropicCallHeaders({ 'x-team': 'blue' }, {})).toEqual({ 'x-team': 'blue', 'anthropic-version': '2023-06-01' });
  });

  it("the client's version wins; beta flags are merged without duplicates", () => {
    expect(anthropicCallHeaders({ 'Anthropic-Version': '2023-01-01', 'anthropic-beta': 'x, y' }, { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'y,z' })).toEqual({
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'x,y,z',
    });
  });
});

describe('nativeMessageEvents', () => {
  const stop: SseEvent = { event: 'message_stop', data: '{"type":"message_stop"}' };

  it('passes events through unchanged', async () => {
    const events = [{ event: 'message_start', data: '{"type":"message_start","message":{}}' }, { event: 'ping', data: '{"type": "ping"}' }, stop];
    expect(await collect(nativeMessageEvents(from(events), []))).toEqual(events);
  });

  it('turns an error event into a GatewayError, secrets cut out', async () => {
    const events = [{ event: 'error', data: '{"type":"error","error":{"type":"overloaded_error","message":"key sk-ant-x overloaded"}}' }];
    const err = await collect(nativeMessageEvents(from(events), ['sk-ant-x'])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe(ErrorCode.UpstreamError);
    expect((err as GatewayError).message).not.toContain('sk-ant-x');
  });

  it('fails a stream that ends before message_stop', async () => {
    await expect(collect(nativeMessageEvents(from([{ event: 'ping', data: '{"type":"ping"}' }]), []))).rejects.toThrow(/before message_stop/);
  });
});
