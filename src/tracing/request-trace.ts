import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span, TextMapPropagator, Tracer } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '../common/gateway-error.js';
import type { JsonObject, UpstreamStream } from '../providers/provider-adapter.js';
import { classifyFailure } from '../routing/failure-classifier.js';
import type { DeploymentTarget } from '../routing/routing-table.js';
import { GEN_AI, genAiProviderName, SWITCHBOARD } from './gen-ai-attributes.js';
import { MAX_CONTENT_CHARS, StreamFacts } from './stream-facts.js';

/** What a request's spans need from the tracing service; built once, shared by every request. */
export interface TraceRuntime {
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  readonly recordContent: boolean;
}

/** Facts known when the response has closed (gathered by the telemetry middleware). */
export interface RequestOutcome {
  readonly status: number;
  readonly route: string;
  readonly aborted: boolean;
  readonly errorCode?: string;
  readonly group?: string;
  readonly deploymentId?: string;
  readonly provider?: string;
  readonly usage?: { readonly prompt: number; readonly completion: number };
  readonly body?: unknown;
  readonly keyAlias?: string;
  readonly requestId?: string;
}

interface RequestLike {
  readonly method?: string;
  readonly headers: IncomingHttpHeaders;
  readonly originalUrl?: string;
  readonly url?: string;
}

/**
 * The SERVER span of one inference request and the factory of its CLIENT spans (one per upstream
 * attempt). Only ever created when tracing is on; hung on the request by the telemetry
 * middleware and handed to the router through the request context.
 */
export class RequestTrace {
  private readonly span: Span;
  private readonly parent: Context;
  private attempts = 0;
  private served?: AttemptTrace;
  /** Set once the primary group has failed: later attempts are fallbacks. */
  private inFallback = false;

  constructor(
    private readonly runtime: TraceRuntime,
    req: RequestLike,
    private readonly operation: string,
    path: string,
  ) {
    // The ingress's traceparent/tracestate make this span its child; without them it is a root.
    const incoming = runtime.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const attributes: Attributes = {
      [GEN_AI.operationName]: operation,
      'http.request.method': req.method ?? 'POST',
      'url.path': path,
    };
    const ua = req.headers['user-agent'];
    if (typeof ua === 'string') attributes['user_agent.original'] = ua;
    this.span = runtime.tracer.startSpan(`${req.method ?? 'POST'} ${path}`, { kind: SpanKind.SERVER, attributes }, incoming);
    this.parent = trace.setSpan(incoming, this.span);
  }

  /** Starts the CLIENT span of the next upstream attempt (numbered from 1 over the whole request). */
  attempt(target: DeploymentTarget & { readonly requestedName: string }, stream: boolean): AttemptTrace {
    this.attempts++;
    return new AttemptTrace(this, this.runtime, this.parent, target, this.operation, this.attempts, stream, this.inFallback);
  }

  /** The router gave up on the requested group and walks the configured fallbacks. */
  fallingBack(): void {
    this.inFallback = true;
  }

  /** @internal an attempt that produced the answer the client got. */
  markServed(a: AttemptTrace): void {
    this.served = a;
  }

  end(o: RequestOutcome): void {
    const span = this.span;
    const body = o.body && typeof o.body === 'object' ? (o.body as JsonObject) : undefined;
    const requested = typeof body?.model === 'string' ? body.model : undefined;
    if (requested !== undefined) {
      span.updateName(`${this.operation} ${requested.slice(0, 128)}`);
      span.setAttribute(GEN_AI.requestModel, requested);
    }
    span.setAttribute('http.route', o.route);
    span.setAttribute('http.response.status_code', o.status);
    if (body) setRequestParams(span, body);
    const served = this.served;
    const provider = served?.target.provider ?? (o.provider || undefined);
    if (provider) span.setAttribute(GEN_AI.providerName, genAiProviderName(provider));
    const group = served?.target.group ?? (o.group || undefined);
    if (group) span.setAttribute(SWITCHBOARD.group, group);
    const deploymentId = served?.target.deploymentId ?? o.deploymentId;
    if (deploymentId) span.setAttribute(SWITCHBOARD.deploymentId, deploymentId);
    if (o.keyAlias) span.setAttribute(SWITCHBOARD.keyAlias, o.keyAlias);
    if (o.requestId) span.setAttribute(SWITCHBOARD.requestId, o.requestId);
    if (served?.responseModel) span.setAttribute(GEN_AI.responseModel, served.responseModel);
    if (served?.responseId) span.setAttribute(GEN_AI.responseId, served.responseId);
    // The telemetry's count (what the client was sent) first; the upstream's when that has none.
    const input = o.usage?.prompt || served?.facts.inputTokens;
    const output = o.usage?.completion || served?.facts.outputTokens;
    if (o.usage || input !== undefined) span.setAttribute(GEN_AI.usageInputTokens, input ?? 0);
    if (o.usage || output !== undefined) span.setAttribute(GEN_AI.usageOutputTokens, output ?? 0);
    if (this.attempts > 1) span.setAttribute(SWITCHBOARD.attempt, this.attempts);

    if (this.runtime.recordContent && body) {
      const attrs: Attributes = {};
      const prompt = body.messages ?? body.input ?? body.prompt;
      if (prompt !== undefined) attrs[GEN_AI.inputMessages] = truncate(JSON.stringify(prompt));
      const text = served?.facts.text;
      if (text) attrs[GEN_AI.outputMessages] = truncate(JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }]));
      if (Object.keys(attrs).length > 0) span.addEvent(GEN_AI.operationDetailsEvent, attrs);
    }

    const failed = o.errorCode ?? (o.aborted ? 'client_closed' : undefined);
    if (failed) span.setAttribute('error.type', failed);
    // A 4xx is the client's doing, not the server's (HTTP conventions); a broken stream after
    // a 200 is a failure even though the status says otherwise.
    if (o.status >= 500 || (o.errorCode !== undefined && o.status < 400)) span.setStatus({ code: SpanStatusCode.ERROR, message: failed });
    span.end();
  }
}

/** The CLIENT span of one upstream call: created by the router for every attempt. */
export class AttemptTrace {
  /** traceparent (and tracestate) naming this span, for the upstream request. */
  readonly headers: Record<string, string> = {};
  readonly facts: StreamFacts;
  responseModel?: string;
  responseId?: string;
  private readonly span: Span;
  private ended = false;
  private readonly recordContent: boolean;

  constructor(
    private readonly request: RequestTrace,
    runtime: TraceRuntime,
    parent: Context,
    readonly target: DeploymentTarget & { readonly requestedName: string },
    operation: string,
    attempt: number,
    stream: boolean,
    fallback: boolean,
  ) {
    const attributes: Attributes = {
      [GEN_AI.operationName]: operation,
      [GEN_AI.providerName]: genAiProviderName(target.provider),
      [GEN_AI.requestModel]: target.upstreamModel,
      [SWITCHBOARD.group]: target.group,
      [SWITCHBOARD.deploymentId]: target.deploymentId,
      [SWITCHBOARD.attempt]: attempt,
      'http.request.method': 'POST',
    };
    if (stream) attributes[GEN_AI.requestStream] = true;
    if (fallback) attributes[SWITCHBOARD.fallback] = target.group;
    const server = serverOf(target.apiBase);
    if (server) {
      attributes['server.address'] = server.address;
      if (server.port) attributes['server.port'] = server.port;
    }
    this.span = runtime.tracer.startSpan(`${operation} ${target.upstreamModel}`, { kind: SpanKind.CLIENT, attributes }, parent);
    runtime.propagator.inject(trace.setSpan(ROOT_CONTEXT, this.span), this.headers, defaultTextMapSetter);
    this.facts = new StreamFacts(runtime.recordContent);
    this.recordContent = runtime.recordContent;
  }

  /** A JSON answer arrived: the attempt succeeded. */
  succeeded(result: unknown): void {
    if (result && typeof result === 'object') this.facts.observeJson(result as JsonObject);
    this.request.markServed(this);
    this.end();
  }

  /** A stream's first event arrived: the attempt serves the client; the span ends with the stream. */
  observe(stream: UpstreamStream): UpstreamStream {
    this.request.markServed(this);
    const facts = this.facts;
    const source = stream.events;
    async function* observed() {
      for await (const e of source) {
        facts.observeEvent(e.data);
        yield e;
      }
    }
    return { headers: stream.headers, events: observed() };
  }

  /** Ends the span: with no error a success; `aborted` when the client went away first. */
  end(err?: unknown, aborted = false): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.span;
    const f = this.facts;
    // Translated streams (Messages, bridged Responses) carry the client's name by the time the
    // router sees them; the id the upstream was asked for is the truthful answer then.
    if (f.model !== undefined && f.model === this.target.requestedName && f.model !== this.target.upstreamModel) f.model = this.target.upstreamModel;
    this.responseModel = f.model;
    this.responseId = f.id;
    if (f.model) span.setAttribute(GEN_AI.responseModel, f.model);
    if (f.id) span.setAttribute(GEN_AI.responseId, f.id);
    if (f.finishReason) span.setAttribute(GEN_AI.responseFinishReasons, [f.finishReason]);
    if (f.inputTokens !== undefined) span.setAttribute(GEN_AI.usageInputTokens, f.inputTokens);
    if (f.outputTokens !== undefined) span.setAttribute(GEN_AI.usageOutputTokens, f.outputTokens);
    if (err === undefined && !aborted) {
      span.setAttribute(SWITCHBOARD.outcome, 'success');
      span.setAttribute('http.response.status_code', 200);
    } else if (aborted) {
      span.setAttribute(SWITCHBOARD.outcome, 'aborted');
      span.setAttribute('error.type', 'client_closed');
    } else {
      const failure = classifyFailure(err);
      const type = err instanceof GatewayError ? err.code : (err as Error | undefined)?.name ?? 'Error';
      span.setAttribute(SWITCHBOARD.outcome, 'error');
      span.setAttribute(SWITCHBOARD.failureClass, failure);
      span.setAttribute('error.type', type);
      if (err instanceof GatewayError && err.upstreamStatus !== undefined) span.setAttribute('http.response.status_code', err.upstreamStatus);
      // An upstream's error message can quote the request back, so it is content: only with record_content.
      const message = this.recordContent && err instanceof Error ? err.message.slice(0, 512) : type;
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    }
    span.end();
  }
}

function setRequestParams(span: Span, body: JsonObject): void {
  if (typeof body.temperature === 'number') span.setAttribute(GEN_AI.requestTemperature, body.temperature);
  if (typeof body.top_p === 'number') span.setAttribute(GEN_AI.requestTopP, body.top_p);
  const max = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  if (typeof max === 'number') span.setAttribute(GEN_AI.requestMaxTokens, max);
  if (body.stream === true) span.setAttribute(GEN_AI.requestStream, true);
}

const servers = new Map<string, { address: string; port?: number } | null>();

/** Host and port of an api base, parsed once per distinct base (a handful per process). */
function serverOf(apiBase: string): { address: string; port?: number } | undefined {
  let s = servers.get(apiBase);
  if (s === undefined) {
    try {
      const u = new URL(apiBase);
      s = { address: u.hostname, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
    } catch {
      s = null;
    }
    if (servers.size < 1024) servers.set(apiBase, s);
  }
  return s ?? undefined;
}

function truncate(text: string): string {
  return text.length <= MAX_CONTENT_CHARS ? text : `${text.slice(0, MAX_CONTENT_CHARS)}…[truncated]`;
}
