import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { EXPORT_FAILURE_LOG_INTERVAL_MS, RateLimitedExporter } from './rate-limited-exporter.js';

function exporter(results: ExportResult[]): SpanExporter {
  return {
    export: (_spans: ReadableSpan[], cb: (r: ExportResult) => void) => cb(results.shift() ?? { code: ExportResultCode.SUCCESS }),
    shutdown: () => Promise.resolve(),
  };
}

describe('RateLimitedExporter', () => {
  it('reports failures at most once per interval, with the count since the last report', () => {
    let now = 0;
    const warned: [string, number][] = [];
    const fail = { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED') };
    const e = new RateLimitedExporter(exporter([fail, fail, fail, { code: ExportResultCode.SUCCESS }, fail]), (m, n) => warned.push([m, n]), () => now);
    const results: number[] = [];
    for (let i = 0; i < 4; i++) e.export([], (r) => results.push(r.code));
    expect(warned).toEqual([['connect ECONNREFUSED', 1]]);
    now += EXPORT_FAILURE_LOG_INTERVAL_MS;
    e.export([], (r) => results.push(r.code));
    expect(warned).toEqual([['connect ECONNREFUSED', 1], ['connect ECONNREFUSED', 3]]);
    expect(results).toEqual([1, 1, 1, 0, 1]);
  });

  it('turns an exporter that throws into a failed result', () => {
    const warned: string[] = [];
    const e = new RateLimitedExporter({ export: () => { throw new Error('bad'); }, shutdown: () => Promise.resolve() }, (m) => warned.push(m));
    let code: number | undefined;
    e.export([], (r) => (code = r.code));
    expect(code).toBe(ExportResultCode.FAILED);
    expect(warned).toEqual(['bad']);
  });
});
