import type { SseEvent } from '../providers/provider-adapter.js';
import { withRequestedModel } from './messages-model.js';

async function* from(events: SseEvent[]): AsyncGenerator<SseEvent> {
  yield* events;
}

describe('withRequestedModel', () => {
  it('renames the model in message_start only; other events keep their bytes', async () => {
    const delta = { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"text":"\\"model\\":\\"x\\""}}' };
    const out: SseEvent[] = [];
    for await (const e of withRequestedModel(
      from([{ event: 'message_start', data: '{"type":"message_start","message":{"id":"m","model":"claude-sonnet-4-5"}}' }, delta]),
      'sonnet',
    )) {
      out.push(e);
    }
    expect(JSON.parse(out[0].data).message.model).toBe('sonnet');
    expect(out[0].event).toBe('message_start');
    expect(out[1]).toBe(delta);
  });
});
