import { createVerify, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { sleep } from './fake-upstream.js';
import { closeServer, listenLoopback, serverUrl, waitForAborts } from './loopback-server.js';

/**
 * A fake Google: Gemini's generativelanguage API (x-goog-api-key), Vertex AI's
 * aiplatform API (OAuth bearer tokens) and the OAuth token endpoint that issues them, in one
 * real node:http server on 127.0.0.1. The token endpoint verifies the service account's JWT
 * assertion against its public key (generated per test run, nothing checked in), and Vertex
 * routes refuse any bearer it did not issue with Google's 401 UNAUTHENTICATED body.
 */
export interface RecordedGoogleRequest {
  method: string;
  path: string;
  query: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export type GoogleReply =
  | { status: number; body: unknown }
  | { json: unknown }
  /** SSE data events (objects are JSON-encoded); `stall` keeps the response open afterwards until the client leaves. */
  | { sse: unknown[]; chunkDelayMs?: number; stall?: boolean; raw?: boolean };

export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  token_uri: string;
}

export class FakeGoogle {
  readonly requests: RecordedGoogleRequest[] = [];
  readonly tokenRequests: { assertionValid: boolean; claims: any }[] = [];
  clientAborts = 0;
  /** Gemini API key accepted on generativelanguage routes. */
  apiKey = 'AIza-test-key';
  private readonly issued = new Set<string>();
  private readonly script: GoogleReply[] = [];
  /** Answers every request without a queued reply (a persistently failing deployment). */
  always?: GoogleReply;
  private server!: http.Server;
  readonly publicKey: string;
  private readonly privateKey: string;

  private constructor() {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    this.publicKey = pair.publicKey;
    this.privateKey = pair.privateKey;
  }

  static async start(): Promise<FakeGoogle> {
    const fake = new FakeGoogle();
    fake.server = await listenLoopback((req, res) => void fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return serverUrl(this.server);
  }

  /** A service-account key whose token_uri is this fake, signed with the key pair the fake verifies. */
  serviceAccount(project = 'test-project'): ServiceAccountKey {
    return {
      type: 'service_account',
      project_id: project,
      private_key_id: 'key-1',
      private_key: this.privateKey,
      client_email: `gateway@${project}.iam.gserviceaccount.com`,
      token_uri: `${this.url}/token`,
    };
  }

  /** Forgets every token it issued (a revocation): Vertex routes answer 401 until a new one is fetched. */
  revokeTokens(): void {
    this.issued.clear();
  }

  enqueue(...replies: GoogleReply[]): this {
    this.script.push(...replies);
    return this;
  }

  last(): RecordedGoogleRequest {
    return this.requests[this.requests.length - 1];
  }

  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
    this.clientAborts = 0;
    this.always = undefined;
  }

  waitForClientAborts(n = 1, timeoutMs = 2000): Promise<void> {
    return waitForAborts(() => this.clientAborts, n, timeoutMs);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const [path, query = ''] = (req.url ?? '/').split('?');
    if (path === '/token') return this.token(text, res);
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* raw */
    }
    this.requests.push({ method: req.method ?? 'GET', path, query, headers: req.headers, body });
    res.once('close', () => {
      if (!res.writableFinished) this.clientAborts++;
    });

    const vertex = path.startsWith('/v1/projects/');
    if (vertex) {
      const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!bearer || !this.issued.has(bearer)) {
        return send(res, 401, googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'UNAUTHENTICATED'));
      }
    } else if (req.headers['x-goog-api-key'] !== this.apiKey) {
      return send(res, 400, googleError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT'));
    }
    const m = /\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
    if (!m) return send(res, 404, googleError(404, `no route ${path}`, 'NOT_FOUND'));
    const [, model, method] = m;
    const anthropic = path.includes('/publishers/anthropic/');
    if (anthropic && (body?.anthropic_version !== 'vertex-2023-10-16' || 'model' in (body ?? {}))) {
      return send(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: 'anthropic_version vertex-2023-10-16 is required and model is not allowed' } });
    }
    if (method === 'streamGenerateContent' && query !== 'alt=sse') return send(res, 400, googleError(400, 'expected alt=sse', 'INVALID_ARGUMENT'));

    const scripted = this.script.shift() ?? this.always;
    if (scripted) return this.reply(res, scripted);
    switch (method) {
      case 'generateContent':
        return send(res, 200, geminiAnswer(body, model));
      case 'streamGenerateContent':
        return this.reply(res, { sse: geminiStream(body, model) });
      case 'embedContent':
        return send(res, 200, { embedding: { values: vector(body?.outputDimensionality) } });
      case 'batchEmbedContents':
        return send(res, 200, { embeddings: (body?.requests ?? []).map((r: any) => ({ values: vector(r.outputDimensionality) })) });
      case 'predict':
        return send(res, 200, {
          predictions: (body?.instances ?? []).map(() => ({ embeddings: { values: vector(body?.parameters?.outputDimensionality), statistics: { token_count: 2 } } })),
        });
      case 'rawPredict':
        return send(res, 200, claudeMessage(model));
      case 'streamRawPredict':
        return this.reply(res, { sse: claudeEvents(model), raw: true });
      default:
        return send(res, 404, googleError(404, `unknown method ${method}`, 'NOT_FOUND'));
    }
  }

  private token(text: string, res: http.ServerResponse): void {
    const form = new URLSearchParams(text);
    const assertion = form.get('assertion') ?? '';
    const [header, payload, signature] = assertion.split('.');
    let valid = false;
    let claims: any;
    try {
      const verifier = createVerify('RSA-SHA256');
      verifier.update(`${header}.${payload}`);
      valid = form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' && verifier.verify(this.publicKey, Buffer.from(signature, 'base64url'));
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      valid = false;
    }
    this.tokenRequests.push({ assertionValid: valid, claims });
    if (!valid) return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const token = `ya29.fake-${this.tokenRequests.length}`;
    this.issued.add(token);
    send(res, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
  }

  private async reply(res: http.ServerResponse, r: GoogleReply): Promise<void> {
    if ('status' in r) return send(res, r.status, r.body);
    if ('json' in r) return send(res, 200, r.json);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of r.sse) {
      if (res.destroyed) return;
      res.write(r.raw && typeof e === 'string' ? e : `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\r\n\r\n`);
      if (r.chunkDelayMs) await sleep(r.chunkDelayMs);
    }
    if (r.stall) return;
    res.end();
  }
}

export function googleError(code: number, message: string, status: string, details?: unknown[]): object {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function vector(dims: number | undefined): number[] {
  return Array.from({ length: dims ?? 4 }, (_, i) => (i + 1) / 10);
}

/** With tools and no function result yet, calls the first tool; otherwise says hello, quoting a function result if there is one. */
function geminiAnswer(body: any, model: string): object {
  const last = body?.contents?.[body.contents.length - 1];
  const answered = last?.parts?.find((p: any) => p.functionResponse);
  const tool = body?.tools?.[0]?.functionDeclarations?.[0];
  const parts = tool && !answered
    ? [{ functionCall: { name: tool.name, args: { city: 'Paris' } }, thoughtSignature: 'c2lnLTE=' }]
    : [{ text: answered ? `Result: ${JSON.stringify(answered.functionResponse.response)}` : 'Hello from Gemini' }];
  return {
    candidates: [{ index: 0, content: { role: 'model', parts }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 },
    modelVersion: model,
    responseId: 'resp-fake',
  };
}

function geminiStream(body: any, model: string): object[] {
  const whole = geminiAnswer(body, model) as any;
  const parts = whole.candidates[0].content.parts;
  if (parts[0].functionCall) return [whole];
  return [
    { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: 'Hello ' }] } }], modelVersion: model },
    { candidates: [{ index: 0, content: { role: 'model', parts: [{ text: parts[0].text.replace(/^Hello /, '') }] }, finishReason: 'STOP' }], usageMetadata: whole.usageMetadata, modelVersion: model },
  ];
}

function claudeMessage(model: string): object {
  return {
    id: 'msg_vertex_1',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'Hello from Claude on Vertex' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 6 },
  };
}

function claudeEvents(model: string): string[] {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    ev('message_start', { message: { id: 'msg_vertex_2', type: 'message', role: 'assistant', model, content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello from ' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Claude on Vertex' } }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } }),
    ev('message_stop', {}),
  ];
}
