import { Injectable } from '@nestjs/common';
import { hashKey } from '../auth/api-key.service.js';
import { GatewayError } from '../common/gateway-error.js';
import type { SpendLogsTable } from '../store/store.types.js';
import { SpendLogsRepository } from './spend-logs.repository.js';
import { SpendWriterService } from './spend-writer.service.js';

const MAX_PAGE_SIZE = 1000;
const TOKEN = /^[0-9a-f]{64}$/;

export interface SpendLogView {
  request_id: string;
  call_type: string;
  /** Token (SHA-256) of the virtual key, null for the master key. */
  api_key: string | null;
  spend: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  usage_source: string;
  model: string;
  model_group: string;
  model_id: string;
  custom_llm_provider: string;
  upstream_model: string;
  stream: boolean;
  startTime: string;
  endTime: string;
}

@Injectable()
export class SpendLogsService {
  constructor(
    private readonly repo: SpendLogsRepository,
    private readonly writer: SpendWriterService,
  ) {}

  async logs(q: Record<string, unknown>) {
    const page = int(q.page, 'page') ?? 1;
    const pageSize = Math.min(int(q.page_size, 'page_size') ?? 50, MAX_PAGE_SIZE);
    const apiKey = str(q.api_key, 'api_key');
    // Read-your-writes on this replica: what it has queued is written first.
    await this.writer.flush();
    const { rows, total } = await this.repo.page({
      apiKey: apiKey === undefined ? undefined : TOKEN.test(apiKey) ? apiKey : hashKey(apiKey).toString('hex'),
      requestId: str(q.request_id, 'request_id'),
      model: str(q.model, 'model'),
      startTime: date(q.start_date, 'start_date'),
      endTime: date(q.end_date, 'end_date'),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { data: rows.map(view), total, page, page_size: pageSize, total_pages: Math.max(1, Math.ceil(total / pageSize)) };
  }
}

function view(r: SpendLogsTable): SpendLogView {
  return {
    request_id: r.request_id,
    call_type: r.call_type,
    api_key: r.api_key,
    spend: Number(r.spend),
    prompt_tokens: Number(r.prompt_tokens),
    completion_tokens: Number(r.completion_tokens),
    total_tokens: Number(r.total_tokens),
    usage_source: r.usage_source,
    model: r.model,
    model_group: r.model_group,
    model_id: r.model_id,
    custom_llm_provider: r.provider,
    upstream_model: r.upstream_model,
    stream: Number(r.stream) === 1,
    startTime: r.start_time,
    endTime: r.end_time,
  };
}

function int(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw GatewayError.invalid(`Query parameter '${name}' must be a positive integer.`, name);
  return n;
}

function str(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 512) throw GatewayError.invalid(`Query parameter '${name}' must be a non-empty string.`, name);
  return v;
}

/** YYYY-MM-DD or a full ISO instant, as an ISO instant (what start_time holds). */
function date(v: unknown, name: string): string | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00.000Z` : s);
  if (Number.isNaN(t)) throw GatewayError.invalid(`Query parameter '${name}' must be a date (YYYY-MM-DD) or an ISO timestamp.`, name);
  return new Date(t).toISOString();
}
