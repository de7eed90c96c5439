import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { closeServer, listenLoopback, serverUrl, waitForAborts } from './loopback-server.js';

/**
 * A fake AWS Bedrock Runtime (Converse, ConverseStream, InvokeModel for embeddings) and AWS STS
 * (AssumeRole, AssumeRoleWithWebIdentity), in one real node:http server on 127.0.0.1. Every
 * Bedrock request and every AssumeRole must carry a SigV4 signature that this fake checks
 * itself with node:crypto (no AWS library), so the gateway's signer is tested against an
 * independent implementation of the algorithm, not against itself.
 */
export interface RecordedBedrockRequest {
  method: string;
  /** As received, e.g. /model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse */
  rawPath: string;
  /** Decoded, e.g. anthropic.claude-3-5-sonnet-20240620-v1:0 ('' off the /model/ routes). */
  modelId: string;
  operation: 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream' | string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: any;
  accessKeyId?: string;
  signatureValid: boolean;
}

export interface RecordedStsRequest {
  action: string;
  params: Record<string, string>;
  signatureValid: boolean;
  accessKeyId?: string;
}

export type BedrockStreamEvent =
  /** An event message: `:message-type` event, `:event-type` type, JSON payload. */
  | { type: string; payload: unknown }
  /** An exception message: `:message-type` exception, `:exception-type`, payload `{"message"}`. */
  | { exception: string; message: string };

export type BedrockReply =
  /** An error; errorType sets x-amzn-errortype as Bedrock does. */
  | { status: number; body: unknown; errorType?: string; headers?: Record<string, string> }
  | { json: unknown }
  /** application/vnd.amazon.eventstream; `stall` keeps the response open afterwards until the client leaves. */
  | { events: BedrockStreamEvent[]; chunkDelayMs?: number; stall?: boolean };

const OPERATIONS = new Set(['converse', 'converse-stream', 'invoke', 'invoke-with-response-stream']);
const BEDROCK_FAULT_NS = 'http://internal.amazon.com/coral/com.amazon.bedrock/';
const CORAL_FAULT_NS = 'http://internal.amazon.com/coral/com.amazon.coral.service/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

interface KnownCredential {
  secret: string;
  sessionToken?: string;
}

type AuthResult = { ok: true; accessKeyId: string } | { ok: false; unrecognized: boolean; reason: string; accessKeyId?: string };

export class FakeBedrock {
  readonly requests: RecordedBedrockRequest[] = [];
  readonly stsRequests: RecordedStsRequest[] = [];
  /** Responses the client closed before they ended (abort propagation checks). */
  clientAborts = 0;
  /** Signatures must be scoped to this region. */
  region = 'us-east-1';
  /** The static key pair (no session token) accepted besides the temporary credentials STS issued. */
  accessKeyId = 'AKIDFAKEBEDROCK1';
  secretAccessKey = 'fake-bedrock-secret/KEY+1';
  /** The only token AssumeRoleWithWebIdentity accepts. */
  webIdentityToken = 'eyJhbGciOiJSUzI1NiJ9.fake-web-identity.c2ln';
  /** Lifetime of the temporary credentials STS issues. */
  stsDurationSeconds = 3600;
  /** The next N STS calls answer 403 AccessDenied. */
  stsFailures = 0;
  /** Answers every Bedrock request without a queued reply (a persistently failing deployment). */
  always?: BedrockReply;
  private readonly issued = new Map<string, KnownCredential & { expiration: Date }>();
  private readonly script: BedrockReply[] = [];
  private readonly codec = new EventStreamCodec(toUtf8, fromUtf8);
  private server!: http.Server;

  static async start(): Promise<FakeBedrock> {
    const fake = new FakeBedrock();
    fake.server = await listenLoopback((req, res) => void fake.handle(req, res));
    return fake;
  }

  get url(): string {
    return serverUrl(this.server);
  }

  /** Queue replies for Bedrock routes; each accepted request consumes one, then defaults resume. */
  reply(...r: BedrockReply[]): void {
    this.script.push(...r);
  }

  last(): RecordedBedrockRequest {
    return this.requests[this.requests.length - 1];
  }

  /** Temporary credentials STS issued stay valid across resets, as they would at AWS. */
  reset(): void {
    this.requests.length = 0;
    this.stsRequests.length = 0;
    this.script.length = 0;
    this.always = undefined;
    this.clientAborts = 0;
    this.stsFailures = 0;
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
    const raw = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    res.on('close', () => {
      if (!res.writableEnded) this.clientAborts++;
    });
    if (req.method === 'POST' && rawPath === '/') return this.sts(req, raw, query, res);

    const text = raw.toString('utf8');
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the raw text */
    }
    const m = /^\/model\/([^/]+)\/([^/]+)$/.exec(rawPath);
    let modelId = '';
    if (m) {
      try {
        modelId = decodeURIComponent(m[1]);
      } catch {
        modelId = m[1];
      }
    }
    const operation = m?.[2] ?? '';
    const auth = this.authenticate(req, rawPath, query, raw, 'bedrock');
    this.requests.push({ method: req.method ?? 'GET', rawPath, modelId, operation, headers: req.headers, body, accessKeyId: auth.accessKeyId, signatureValid: auth.ok });

    if (req.method !== 'POST' || !m || !OPERATIONS.has(operation)) return sendJson(res, 404, { message: 'UnknownOperationException' });
    if (!auth.ok) {
      return auth.unrecognized
        ? sendJson(res, 403, { message: INVALID_TOKEN }, { 'x-amzn-errortype': `UnrecognizedClientException:${CORAL_FAULT_NS}` })
        : sendJson(res, 403, { message: SIGNATURE_MISMATCH }, { 'x-amzn-errortype': `InvalidSignatureException:${CORAL_FAULT_NS}` });
    }

    const scripted = this.script.shift() ?? this.always;
    if (scripted) return this.answer(res, scripted);
    switch (operation) {
      case 'converse':
        if (!Array.isArray(body?.messages)) return this.answer(res, bedrockError('ValidationException', 'Malformed input request: messages is required', 400));
        return this.answer(res, { json: converseAnswer('Hello from fake Bedrock') });
      case 'converse-stream':
        if (!Array.isArray(body?.messages)) return this.answer(res, bedrockError('ValidationException', 'Malformed input request: messages is required', 400));
        return this.answer(res, { events: converseStreamEvents(['Hello', ' from', ' Bedrock']) });
      case 'invoke':
        return this.answer(res, invokeAnswer(modelId, body));
      default:
        return this.answer(res, bedrockError('ValidationException', `The fake has no default ${operation} answer for ${modelId}; queue one with reply().`, 400));
    }
  }

  private credential(accessKeyId: string): KnownCredential | undefined {
    if (accessKeyId === this.accessKeyId) return { secret: this.secretAccessKey };
    return this.issued.get(accessKeyId);
  }

  /** Unknown keys and wrong or missing session tokens are told apart from bad signatures, as AWS does. */
  private authenticate(req: http.IncomingMessage, rawPath: string, query: string, body: Buffer, service: string): AuthResult {
    const parsed = parseAuthorization(single(req.headers.authorization));
    if (typeof parsed === 'string') return { ok: false, unrecognized: false, reason: parsed };
    const { accessKeyId } = parsed;
    const known = this.credential(accessKeyId);
    if (!known) return { ok: false, unrecognized: true, reason: 'unknown access key', accessKeyId };
    const token = single(req.headers['x-amz-security-token']);
    if (token !== known.sessionToken) return { ok: false, unrecognized: true, reason: 'wrong or missing session token', accessKeyId };
    const v = verifySigV4({ method: req.method ?? 'GET', rawPath, query, headers: req.headers, body, secretFor: (id) => this.credential(id)?.secret, service, region: this.region });
    return v.ok ? v : { ok: false, unrecognized: false, reason: v.reason, accessKeyId };
  }

  private sts(req: http.IncomingMessage, raw: Buffer, query: string, res: http.ServerResponse): void {
    const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const action = params.Action ?? '';
    const auth: AuthResult | undefined = req.headers.authorization ? this.authenticate(req, '/', query, raw, 'sts') : undefined;
    this.stsRequests.push({ action, params, signatureValid: auth?.ok ?? false, accessKeyId: auth?.accessKeyId });
    if (this.stsFailures > 0) {
      this.stsFailures--;
      return stsError(res, 403, 'AccessDenied', 'not authorized');
    }
    if (action === 'AssumeRole') {
      if (!auth || !auth.ok) {
        return auth && !auth.unrecognized ? stsError(res, 403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH) : stsError(res, 403, 'InvalidClientTokenId', INVALID_TOKEN);
      }
      if (!params.RoleArn || !params.RoleSessionName) return stsError(res, 400, 'ValidationError', 'RoleArn and RoleSessionName are required');
      return this.issue(res, 'AssumeRole', params);
    }
    if (action === 'AssumeRoleWithWebIdentity') {
      if (!params.RoleArn || !params.RoleSessionName) return stsError(res, 400, 'ValidationError', 'RoleArn and RoleSessionName are required');
      if (params.WebIdentityToken !== this.webIdentityToken) return stsError(res, 400, 'InvalidIdentityToken', 'Couldn\'t retrieve verification key from your identity provider');
      return this.issue(res, 'AssumeRoleWithWebIdentity', params);
    }
    return stsError(res, 400, 'InvalidAction', `Could not find operation ${action || '(none)'} for version 2011-06-15`);
  }

  private issue(res: http.ServerResponse, action: 'AssumeRole' | 'AssumeRoleWithWebIdentity', params: Record<string, string>): void {
    const accessKeyId = `ASIA${randomKeyChars(16)}`;
    // Base64 secrets and tokens carry '+', '/' and '=', which the signer and the XML reader must survive.
    const secret = randomBytes(30).toString('base64');
    const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`;
    const expiration = new Date(Date.now() + this.stsDurationSeconds * 1000);
    this.issued.set(accessKeyId, { secret, sessionToken, expiration });
    const role = params.RoleArn.replace(':role/', ':assumed-role/').replace(':iam:', ':sts:');
    const extra = action === 'AssumeRoleWithWebIdentity' ? '<SubjectFromWebIdentityToken>system:serviceaccount:default:gateway</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>' : '';
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
    res.end(
      `<${action}Response xmlns="${STS_NS}"><${action}Result>` +
        `<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey>` +
        `<SessionToken>${sessionToken}</SessionToken><Expiration>${expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${xmlEscape(params.RoleSessionName)}</AssumedRoleId><Arn>${xmlEscape(`${role}/${params.RoleSessionName}`)}</Arn></AssumedRoleUser>` +
        `${extra}</${action}Result><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`,
    );
  }

  private async answer(res: http.ServerResponse, r: BedrockReply): Promise<void> {
    if ('status' in r) {
      const headers = { ...(r.errorType ? { 'x-amzn-errortype': `${r.errorType}:${BEDROCK_FAULT_NS}` } : {}), ...(r.headers ?? {}) };
      if (typeof r.body === 'string') {
        res.writeHead(r.status, { 'content-type': 'text/plain', 'x-amzn-requestid': requestId(), ...headers });
        res.end(r.body);
        return;
      }
      return sendJson(res, r.status, r.body, headers);
    }
    if ('json' in r) return sendJson(res, 200, r.json);
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId() });
    const frames = r.events.map((e) => this.frame(e));
    for (const [i, frame] of frames.entries()) {
      if (res.destroyed) return;
      if (i === 0 && frame.byteLength > 1) {
        // The first frame goes out in two writes with a pause between, so the client reads a partial message.
        const mid = Math.floor(frame.byteLength / 2);
        res.write(frame.subarray(0, mid));
        await sleepUnlessClosed(5, res);
        if (res.destroyed) return;
        res.write(frame.subarray(mid));
      } else {
        res.write(frame);
      }
      if (r.chunkDelayMs) await sleepUnlessClosed(r.chunkDelayMs, res);
    }
    if (r.stall || res.destroyed) return;
    res.end();
  }

  private frame(e: BedrockStreamEvent): Uint8Array {
    const str = (value: string) => ({ type: 'string' as const, value });
    if ('exception' in e) {
      return this.codec.encode({
        headers: { ':message-type': str('exception'), ':exception-type': str(e.exception), ':content-type': str('application/json') },
        body: fromUtf8(JSON.stringify({ message: e.message })),
      });
    }
    return this.codec.encode({
      headers: { ':message-type': str('event'), ':event-type': str(e.type), ':content-type': str('application/json') },
      body: fromUtf8(JSON.stringify(e.payload)),
    });
  }
}

export function bedrockError(type: string, message: string, status: number): BedrockReply {
  return { status, errorType: type, body: { message } };
}

export function converseAnswer(text: string, extra: { stopReason?: string; usage?: object; content?: unknown[] } = {}): object {
  return {
    output: { message: { role: 'assistant', content: extra.content ?? [{ text }] } },
    stopReason: extra.stopReason ?? 'end_turn',
    usage: extra.usage ?? { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    metrics: { latencyMs: 12 },
  };
}

export function converseStreamEvents(pieces: string[], opts: { stopReason?: string; usage?: object } = {}): BedrockStreamEvent[] {
  return [
    { type: 'messageStart', payload: { role: 'assistant' } },
    ...pieces.map((text) => ({ type: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text } } })),
    { type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
    { type: 'messageStop', payload: { stopReason: opts.stopReason ?? 'end_turn' } },
    { type: 'metadata', payload: { usage: opts.usage ?? { inputTokens: 10, outputTokens: 5, totalTokens: 15 }, metrics: { latencyMs: 12 } } },
  ];
}

function invokeAnswer(modelId: string, body: any): BedrockReply {
  if (modelId.startsWith('amazon.titan-embed')) {
    if (typeof body?.inputText !== 'string') return bedrockError('ValidationException', 'Malformed input request: #: required key [inputText] not found', 400);
    const dims = Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : 8;
    return { json: { embedding: embeddingOf(body.inputText, dims), inputTextTokenCount: tokenCount(body.inputText) } };
  }
  if (modelId.startsWith('cohere.embed')) {
    const texts = body?.texts;
    if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string') || typeof body?.input_type !== 'string') {
      return bedrockError('ValidationException', 'Malformed input request: texts (array of strings) and input_type are required', 400);
    }
    return { json: { id: 'emb-1', embeddings: texts.map((t: string) => embeddingOf(t, 8)), texts, response_type: 'embeddings_floats' } };
  }
  return bedrockError('ValidationException', `The fake has no default InvokeModel answer for ${modelId}; queue one with reply().`, 400);
}

/** Deterministic per text, so tests can tell which input became which vector. */
function embeddingOf(text: string, dims: number): number[] {
  const out: number[] = [];
  for (let block = 0; out.length < dims; block++) {
    for (const byte of createHash('sha256').update(`${block}\0${text}`).digest()) {
      if (out.length === dims) break;
      out.push(Math.round((byte / 255) * 2000 - 1000) / 1000);
    }
  }
  return out;
}

function tokenCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId(), ...headers });
  res.end(JSON.stringify(body));
}

function stsError(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() });
  res.end(
    `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>` +
      `<RequestId>${requestId()}</RequestId></ErrorResponse>`,
  );
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function requestId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function randomKeyChars(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** A delay that ends early when the peer closed the response, so no timer outlives the test. */
function sleepUnlessClosed(ms: number, res: http.ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

// ---------------------------------------------------------------------------------------------
// SigV4 verification, written from the AWS Signature Version 4 specification with node:crypto.

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

function parseAuthorization(value: string | undefined): ParsedAuthorization | string {
  if (!value) return 'no Authorization header';
  if (!value.startsWith(`${ALGORITHM} `)) return `Authorization does not use ${ALGORITHM}`;
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signed || !signature) return 'Authorization lacks Credential, SignedHeaders or Signature';
  const scope = credential.split('/');
  if (scope.length !== 5) return `malformed Credential ${credential}`;
  const [accessKeyId, date, region, service, terminator] = scope;
  return { accessKeyId, date, region, service, terminator, signedHeaders: signed.split(';'), signature };
}

/** RFC 3986 percent-encoding, byte by byte: only A-Z a-z 0-9 - _ . ~ stay as they are. */
function uriEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function canonicalQuery(query: string): string {
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    pairs.push([uriEncode(safeDecode(k)), uriEncode(safeDecode(v))]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks a request's SigV4 signature as AWS does for every service but S3: the path as received
 * is URI-encoded once more per segment (so `%3A` is signed as `%253A`), the query sorted, the
 * signed headers canonicalised, the payload hashed; `host` must be signed, `x-amz-date` be
 * within 15 minutes of `now`, a session token (if sent) be signed, and any x-amz-content-sha256
 * equal the body's hash. The session token's value is the caller's to check.
 */
export function verifySigV4(args: {
  method: string;
  rawPath: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | string;
  secretFor: (accessKeyId: string) => string | undefined;
  service: string;
  region: string;
  now?: Date;
}): { ok: true; accessKeyId: string } | { ok: false; reason: string; accessKeyId?: string } {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(args.headers)) {
    if (value !== undefined) headers.set(name.toLowerCase(), single(value) as string);
  }
  const auth = parseAuthorization(headers.get('authorization'));
  if (typeof auth === 'string') return { ok: false, reason: auth };
  const fail = (reason: string) => ({ ok: false as const, reason, accessKeyId: auth.accessKeyId });

  if (auth.region !== args.region) return fail(`credential scope region ${auth.region}, expected ${args.region}`);
  if (auth.service !== args.service) return fail(`credential scope service ${auth.service}, expected ${args.service}`);
  if (auth.terminator !== 'aws4_request') return fail(`credential scope ends in ${auth.terminator}`);
  const amzDate = headers.get('x-amz-date') ?? '';
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dm) return fail(`x-amz-date '${amzDate}' is not YYYYMMDDTHHMMSSZ`);
  if (amzDate.slice(0, 8) !== auth.date) return fail(`credential scope date ${auth.date} differs from x-amz-date ${amzDate}`);
  const signedAt = Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]);
  if (Math.abs((args.now ?? new Date()).getTime() - signedAt) > MAX_CLOCK_SKEW_MS) return fail(`x-amz-date ${amzDate} is more than 15 minutes from now`);

  const signedNames = auth.signedHeaders.map((h) => h.toLowerCase()).sort();
  if (!signedNames.includes('host')) return fail('host is not a signed header');
  if (!signedNames.includes('x-amz-date')) return fail('x-amz-date is not a signed header');
  if (headers.has('x-amz-security-token') && !signedNames.includes('x-amz-security-token')) return fail('x-amz-security-token is not a signed header');
  const canonicalHeaders: string[] = [];
  for (const name of signedNames) {
    const value = headers.get(name);
    if (value === undefined) return fail(`signed header ${name} is not in the request`);
    canonicalHeaders.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }

  const payloadHash = sha256Hex(args.body);
  const declared = headers.get('x-amz-content-sha256');
  if (declared !== undefined && declared !== payloadHash) return fail(`x-amz-content-sha256 ${declared} is not the body's hash ${payloadHash}`);

  const canonicalUri = args.rawPath === '' ? '/' : args.rawPath.split('/').map(uriEncode).join('/');
  const canonicalRequest = [
    args.method.toUpperCase(),
    canonicalUri,
    canonicalQuery(args.query),
    canonicalHeaders.join(''),
    signedNames.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');

  const secret = args.secretFor(auth.accessKeyId);
  if (secret === undefined) return fail(`unknown access key ${auth.accessKeyId}`);
  const kDate = hmac(`AWS4${secret}`, auth.date);
  const kSigning = hmac(hmac(hmac(kDate, auth.region), auth.service), 'aws4_request');
  const expected = hmac(kSigning, stringToSign);
  const given = /^[0-9a-f]{64}$/.test(auth.signature) ? Buffer.from(auth.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail('signature does not match');
  return { ok: true, accessKeyId: auth.accessKeyId };
}
