import { ChatCompletionRequestDto } from '../chat/dto/chat-completion-request.dto.js';
import { ResponseCreateRequestDto } from '../responses/dto/response-create-request.dto.js';
import { GatewayError } from './gateway-error.js';
import { OpenAiBodyPipe } from './openai-body.pipe.js';

const chat = new OpenAiBodyPipe(ChatCompletionRequestDto);
const responses = new OpenAiBodyPipe(ResponseCreateRequestDto);
const M = [{ role: 'user', content: 'hi' }];

function rejection(pipe: OpenAiBodyPipe, body: unknown): { message: string; param: string | null } {
  try {
    pipe.transform(body);
  } catch (err) {
    if (err instanceof GatewayError) return { message: err.message, param: err.param };
    throw err;
  }
  throw new Error('expected the body to be rejected');
}

describe('OpenAiBodyPipe', () => {
  it('hands back the very object it was given, unknown fields included', () => {
    const body = { model: 'm', messages: M, some_future_parameter: { a: [1] }, seed: 1 };
    expect(chat.transform(body)).toBe(body);
    expect(body).toEqual({ model: 'm', messages: M, some_future_parameter: { a: [1] }, seed: 1 });
  });

  it.each([null, 'x', 5, [], [{ model: 'm' }]])('rejects a body that is not an object: %j', (body) => {
    expect(rejection(chat, body).message).toBe('The request body must be a JSON object.');
  });

  it.each([
    [{ model: 'm' }, "Missing required parameter: 'messages'.", 'messages'],
    [{ messages: M }, "Missing required parameter: 'model'.", 'model'],
    [{ model: 5, messages: M }, "Invalid 'model': must be a string.", 'model'],
    [{ model: null, messages: M }, "Invalid 'model': must be a string.", 'model'],
    [{ model: '', messages: M }, "Invalid 'model': should not be empty.", 'model'],
    [{ model: 'm', messages: 'hi' }, "Invalid 'messages': must be an array.", 'messages'],
    [{ model: 'm', messages: [] }, "Invalid 'messages': should not be empty.", 'messages'],
    [{ model: 'm', messages: [null] }, "Invalid 'messages[0]': must be an object.", 'messages[0]'],
    [{ model: 'm', messages: [M[0], 'hi'] }, "Invalid 'messages[1]': must be an object.", 'messages[1]'],
    [{ model: 'm', messages: [{ content: 'x' }] }, "Missing required parameter: 'messages[0].role'.", 'messages[0].role'],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }, "Invalid 'messages[0].content': must be string or array or null.", 'messages[0].content'],
    [{ model: 'm', messages: M, stream: 'yes' }, "Invalid 'stream': must be a boolean value.", 'stream'],
    [{ model: 'm', messages: M, tools: {} }, "Invalid 'tools': must be an array.", 'tools'],
    [{ model: 'm', messages: M, tools: [{}] }, "Missing required parameter: 'tools[0].type'.", 'tools[0].type'],
    [{ model: 'm', messages: M, max_tokens: '5' }, "Invalid 'max_tokens': must be an integer number.", 'max_tokens'],
    [{ model: 'm', messages: M, max_tokens: 0 }, "Invalid 'max_tokens': must not be less than 1.", 'max_tokens'],
  ])('chat %j', (body, message, param) => {
    expect(rejection(chat, body)).toEqual({ message, param });
  });

  it.each([
    [{ input: 'x' }, "Missing required parameter: 'model'.", 'model'],
    [{ model: 'm', input: 5 }, "Invalid 'input': must be a string or an array of input items.", 'input'],
    [{ model: 'm', input: 'x', text: 'plain' }, "Invalid 'text': must be an object.", 'text'],
  ])('responses %j', (body, message, param) => {
    expect(rejection(responses, body)).toEqual({ message, param });
  });

  it('accepts what OpenAI accepts: nullable optionals, content parts, tool messages', () => {
    const body = {
      model: 'm',
      stream: null,
      temperature: null,
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'x' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'a', content: 'r' },
      ],
    };
    expect(chat.transform(body)).toBe(body);
    expect(responses.transform({ model: 'm' })).toEqual({ model: 'm' });
  });
});
