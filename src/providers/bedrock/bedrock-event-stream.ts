import { pipeline, type Readable, Transform } from 'node:stream';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

type Message = Parameters<EventStreamCodec['encode']>[0];

/**
 * The SSE event name an AWS exception message becomes; its data is `{"type","message"}`. A
 * `:` cannot start a ConverseStream event type, so it cannot collide with one.
 */
export const EXCEPTION_EVENT = ':exception';

/**
 * AWS's binary event stream (application/vnd.amazon.eventstream: length-prefixed messages with
 * typed headers and CRCs) → SSE text, one event per message: `event` is the `:event-type`
 * header and `data` the JSON payload. The codec (@smithy/eventstream-codec, the AWS SDK's own)
 * decodes each message and checks both CRCs; a corrupt frame fails the stream. Re-framing as
 * SSE lets the one upstream stream reader (idle timeout, backpressure, cancellation) serve
 * Bedrock unchanged.
 */
export function awsEventStreamAsSse(raw: Readable): Readable {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  // The codec decodes one whole message per call: reads are cut into messages here, by the
  // total length that starts every message's prelude, and a partial one waits for the next read.
  let pending: Buffer = Buffer.alloc(0);
  const frames = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, done) {
      try {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        let text = '';
        while (pending.length >= 4) {
          const total = pending.readUInt32BE(0);
          if (total < MIN_MESSAGE_BYTES) throw new Error(`AWS event stream: a message reports ${total} bytes, less than a prelude and checksum.`);
          if (pending.length < total) break;
          text += sseOf(codec.decode(pending.subarray(0, total)));
          pending = pending.subarray(total);
        }
        done(null, text || undefined);
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      // A body that stops inside a message lost that message: a failure, never a silent drop.
      done(pending.length ? new Error(`AWS event stream ended inside a message (${pending.length} bytes left).`) : null);
    },
  });
  pipeline(raw, frames, () => undefined);
  return frames;
}

/** Prelude (total length, headers length, prelude CRC) and message CRC. */
const MIN_MESSAGE_BYTES = 16;

function header(message: Message, name: string): string | undefined {
  const h = message.headers[name];
  return h && h.type === 'string' ? h.value : undefined;
}

function sseOf(message: Message): string {
  const body = toUtf8(message.body);
  const kind = header(message, ':message-type') ?? 'event';
  let event: string;
  let data: string;
  if (kind === 'event') {
    event = header(message, ':event-type') ?? 'unknown';
    data = body;
  } else {
    // An exception names its type in a header and says why in the payload; an `error` message
    // (a protocol-level failure) carries both in headers.
    const type = kind === 'exception' ? header(message, ':exception-type') : header(message, ':error-code');
    event = EXCEPTION_EVENT;
    data = JSON.stringify({ type: type ?? 'unknown', message: kind === 'exception' ? messageOf(body) : header(message, ':error-message') });
  }
  // Payloads are compact JSON, but a newline in one would end the SSE field: split it into data lines.
  return `event: ${event.replace(/[\r\n]/g, '')}\ndata: ${data.replace(/\r?\n/g, '\ndata: ')}\n\n`;
}

function messageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
    const m = parsed.message ?? parsed.Message;
    return typeof m === 'string' ? m : undefined;
  } catch {
    return body || undefined;
  }
}
