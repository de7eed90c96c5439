import http from 'node:http';
import { sleep } from './fake-upstream.js';
import { closeServer, listenLoopback, serverUrl } from './loopback-server.js';

/** One span as exported over OTLP/HTTP JSON, with its attributes flattened to plain values. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP SpanKind). */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
}

export const SERVER = 2;
export const CLIENT = 3;

/**
 * A loopback OpenTelemetry collector: accepts POST /v1/traces with the OTLP/HTTP JSON body the
 * exporter sends and keeps every span, and every raw body (to check what never goes out).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  readonly headers: http.IncomingHttpHeaders[] = [];
  private server!: http.Server;

  static async start(): Promise<OtlpReceiver> {
    const r = new OtlpReceiver();
    r.server = await listenLoopback((req, res) => void r.handle(req, res));
    return r;
  }

  get url(): string {
    return serverUrl(this.server);
  }

  /** Every span of a trace, once `predicate` holds for them (or throws after timeoutMs). */
  async waitFor(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.spans)) return this.spans;
      if (Date.now() > deadline) throw new Error(`spans not received in time; have: ${this.spans.map((s) => s.name).join(', ')}`);
      await sleep(25);
    }
  }

  async trace(traceId: string, count: number): Promise<ReceivedSpan[]> {
    await this.waitFor((all) => all.filter((s) => s.traceId === traceId).length >= count);
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** The SERVER span carrying a request id, and every span of its trace (at least `count`). */
  async request(requestId: string, count: number): Promise<{ server: ReceivedSpan; clients: ReceivedSpan[] }> {
    const server = (await this.waitFor((all) => all.some((s) => s.kind === SERVER && s.attributes['switchboard.request_id'] === requestId))).find(
      (s) => s.kind === SERVER && s.attributes['switchboard.request_id'] === requestId,
    )!;
    const spans = await this.trace(server.traceId, count);
    const clients = spans.filter((s) => s.kind === CLIENT).sort((a, b) => Number(a.attributes['switchboard.attempt']) - Number(b.attributes['switchboard.attempt']));
    return { server, clients };
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    this.bodies.push(text);
    this.headers.push(req.headers);
    const body = JSON.parse(text) as { resourceSpans?: any[] };
    for (const rs of body.resourceSpans ?? []) {
      const resource = flatten(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId || undefined,
            name: s.name,
            kind: s.kind,
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            status: s.status ?? {},
            attributes: flatten(s.attributes),
            events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: flatten(e.attributes) })),
            resource,
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }
}

function flatten(attrs: { key: string; value: any }[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of attrs ?? []) out[a.key] = value(a.value);
  return out;
}

function value(v: any): unknown {
  if (v == null) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}
