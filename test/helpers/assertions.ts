import net from 'node:net';

/** Asserts the one error shape every failure must have, and returns the inner error for more checks. */
export function expectOpenAiError(body: unknown): { message: string; type: string; param: string | null; code: string | null } {
  expect(body).toMatchObject({ error: { message: expect.any(String), type: expect.any(String) } });
  const error = (body as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
  expect(Object.keys(body as object)).toEqual(['error']);
  expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(error.message.length).toBeGreaterThan(0);
  for (const field of [error.param, error.code]) expect(field === null || typeof field === 'string').toBe(true);
  return error;
}

/** A loopback port nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Splits an SSE body into its events (event name and data). */
export function parseSse(text: string): { event?: string; data: string }[] {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim().length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      return event ? { event, data } : { data };
    });
}
