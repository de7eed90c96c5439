import { Readable } from 'node:stream';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { awsEventStreamAsSse, EXCEPTION_EVENT } from './bedrock-event-stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });

function event(type: string, payload: unknown): Buffer {
  return Buffer.from(
    codec.encode({ headers: { ':message-type': str('event'), ':event-type': str(type), ':content-type': str('application/json') }, body: fromUtf8(JSON.stringify(payload)) }),
  );
}

function exception(type: string, message: string): Buffer {
  return Buffer.from(
    codec.encode({
      headers: { ':message-type': str('exception'), ':exception-type': str(type), ':content-type': str('application/json') },
      body: fromUtf8(JSON.stringify({ message })),
    }),
  );
}

async function sse(chunks: Buffer[]): Promise<string> {
  let text = '';
  for await (const c of awsEventStreamAsSse(Readable.from(chunks, { objectMode: false }))) text += c.toString();
  return text;
}

function bytesOf(buf: Buffer): Buffer[] {
  return Array.from(buf, (b) => Buffer.from([b]));
}

const START = { role: 'assistant' };
const DELTA = { contentBlockIndex: 0, delta: { text: 'Hel"lo\\' } };
const STOP = { stopReason: 'end_turn' };
const EXPECTED =
  `event: messageStart\ndata: ${JSON.stringify(START)}\n\n` +
  `event: contentBlockDelta\ndata: ${JSON.stringify(DELTA)}\n\n` +
  `event: messageStop\ndata: ${JSON.stringify(STOP)}\n\n`;

describe('awsEventStreamAsSse', () => {
  const frames = () => [event('messageStart', START), event('contentBlockDelta', DELTA), event('messageStop', STOP)];

  it('one message per read → one SSE event each', async () => {
    expect(await sse(frames())).toBe(EXPECTED);
  });

  it('reads of one byte each (messages split inside the prelude, headers and payload)', async () => {
    expect(await sse(bytesOf(Buffer.concat(frames())))).toBe(EXPECTED);
  });

  it('two messages in one read, the third split across two reads', async () => {
    const [a, b, c] = frames();
    expect(await sse([Buffer.concat([a, b, c.subarray(0, 5)]), c.subarray(5)])).toBe(EXPECTED);
  });

  it('a message split after its prelude and a read ending right on a boundary', async () => {
    const all = Buffer.concat(frames());
    const first = frames()[0].byteLength;
    expect(await sse([all.subarray(0, 12), all.subarray(12, first), all.subarray(first, first + 1), all.subarray(first + 1)])).toBe(EXPECTED);
  });

  it('an exception message becomes an :exception event with its type and message', async () => {
    expect(EXCEPTION_EVENT).toBe(':exception');
    const text = await sse([event('messageStart', START), exception('ThrottlingException', 'slow down')]);
    expect(text).toBe(`event: messageStart\ndata: ${JSON.stringify(START)}\n\nevent: :exception\ndata: {"type":"ThrottlingException","message":"slow down"}\n\n`);
  });

  it('an error message (type and message in headers) becomes an :exception event too', async () => {
    const error = Buffer.from(
      codec.encode({ headers: { ':message-type': str('error'), ':error-code': str('InternalFailure'), ':error-message': str('boom') }, body: new Uint8Array(0) }),
    );
    expect(await sse([error])).toBe('event: :exception\ndata: {"type":"InternalFailure","message":"boom"}\n\n');
  });

  it('a payload with a newline is split into data lines, not ended early', async () => {
    const pretty = Buffer.from(
      codec.encode({ headers: { ':message-type': str('event'), ':event-type': str('metadata') }, body: fromUtf8('{\n"usage":{}\n}') }),
    );
    expect(await sse([pretty])).toBe('event: metadata\ndata: {\ndata: "usage":{}\ndata: }\n\n');
  });

  it.each([
    ['the message CRC', (f: Buffer) => f.length - 1],
    ['the prelude CRC', () => 9],
    ['a payload byte (caught by the message CRC)', (f: Buffer) => f.length - 6],
  ])('a corrupted frame (%s) fails the stream', async (_what, at) => {
    const bad = event('contentBlockDelta', DELTA);
    bad[at(bad)] ^= 0xff;
    await expect(sse([event('messageStart', START), bad])).rejects.toThrow(/checksum|CRC/i);
  });

  it('a body ending inside a message fails the stream rather than dropping the message', async () => {
    const [a, b] = frames();
    await expect(sse([a, b.subarray(0, b.length - 3)])).rejects.toThrow();
  });

  it('an error of the upstream body fails the stream', async () => {
    const raw = new Readable({ read() {} });
    const out = awsEventStreamAsSse(raw);
    raw.push(event('messageStart', START));
    setImmediate(() => raw.destroy(new Error('socket hang up')));
    let text = '';
    await expect(
      (async () => {
        for await (const c of out) text += c.toString();
      })(),
    ).rejects.toThrow('socket hang up');
    expect(text).toBe(`event: messageStart\ndata: ${JSON.stringify(START)}\n\n`);
  });
});
