import SwaggerParser from '@apidevtools/swagger-parser';
import { getMetadataStorage } from 'class-validator';
import { ACCESS_EXTENSION, recordedAdditionalProperties } from '../src/openapi/openapi.decorators.js';
import { schemaNameOf } from '../src/openapi/openapi-document.js';
import { OpsGateway, startOpsGateway } from './helpers/ops-gateway.js';
import { startAdminGateway } from './helpers/store-backends.js';

/**
 * /openapi.json and /docs: a valid document that lists every route the app really serves (read
 * from the Express router, so a route added without docs fails here), access as documented, and
 * a browsable page whose every asset comes from the gateway itself.
 */
const MASTER = 'sk-master-openapi-0123456789';
const BASE = '/llm';
/** The docs routes themselves: served, deliberately not described in the document. */
const DOCS_ROUTES = new Set(['GET /openapi.json', 'GET /docs', 'GET /docs/{file}']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

function yaml(general = '', masterKey: string | null = MASTER): string {
  return `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: http://127.0.0.1:9/v1, api_key: sk-up-000000000000 }
router_settings:
  model_group_alias: { a: m }
general_settings:
  ${masterKey ? `master_key: ${masterKey}` : 'log_prompts: false'}
${general}`;
}

/**
 * The status after reading the body to the end. The document and the swagger-ui bundle are large:
 * left unread, the server's write can stall on a full socket buffer, and the connection then holds
 * `app.close()` open until the hook times out (the likely cause of such a timeout on a loaded CI machine).
 */
async function drainedStatus(response: Promise<Response>): Promise<number> {
  const res = await response;
  await res.arrayBuffer();
  return res.status;
}

const basic = (password: string, user = 'admin') => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** `METHOD /path` for every route registered in the Express router (in router order unless sorted), base path removed, params as {name}. */
function registeredRoutes(gw: OpsGateway, basePath: string, sorted = true): string[] {
  const router = gw.app.getHttpAdapter().getInstance().router as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  const out = new Set<string>();
  for (const layer of router.stack) {
    const route = layer.route;
    if (!route) continue;
    const methods = Object.keys(route.methods).filter((m) => route.methods[m]);
    // Nest mounts middleware on the bare base path as a route for every method: not an API route.
    if (methods.length > METHODS.length) continue;
    const path = route.path.slice(basePath.length).replace(/[:*](\w+)/g, '{$1}') || '/';
    for (const method of methods) out.add(`${method.toUpperCase()} ${path}`);
  }
  return sorted ? [...out].sort() : [...out];
}

type Operation = { summary?: string; tags?: string[]; security?: Record<string, string[]>[]; responses: Record<string, any>; requestBody?: any; [ACCESS_EXTENSION]?: string };

function operations(doc: any): { key: string; path: string; method: string; op: Operation }[] {
  const out = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) if (item[method]) out.push({ key: `${method.toUpperCase()} ${path}`, path, method, op: item[method] as Operation });
  }
  return out;
}

describe('ops: OpenAPI document and /docs', () => {
  let gw: OpsGateway;
  let doc: any;
  let virtualKey: string;
  let generated: Record<string, unknown>;

  beforeAll(async () => {
    gw = await startOpsGateway(yaml(), { basePath: BASE, logLevel: 'silent' });
    const res = await fetch(`${gw.url}/key/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key_alias: 'openapi-test' }),
    });
    expect(res.status).toBe(200);
    generated = (await res.json()) as any;
    virtualKey = String(generated.key);
    doc = await (await fetch(`${gw.url}/openapi.json`, { headers: { authorization: `Bearer ${MASTER}` } })).json();
  });
  afterAll(() => gw?.close());

  describe('the document', () => {
    it('is a valid OpenAPI document', async () => {
      await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.servers).toEqual([{ url: BASE }]);
    });

    it('describes every route the app serves, and nothing it does not', () => {
      const served = registeredRoutes(gw, BASE).filter((r) => !DOCS_ROUTES.has(r));
      const documented = operations(doc).map((o) => o.key).sort();
      expect(served.length).toBeGreaterThan(30);
      expect(documented).toEqual(served);
      for (const admin of ['POST /model/new', 'GET /model/info', 'PUT /alias/{name}', 'POST /key/generate', 'GET /spend/logs', 'GET /health', 'GET /metrics']) {
        expect(documented).toContain(admin);
      }
    });

    it('serves the docs routes after every API route, so no API request is matched against them', () => {
      const order = registeredRoutes(gw, BASE, false);
      const firstDocs = order.findIndex((r) => DOCS_ROUTES.has(r));
      const lastApi = order.findLastIndex((r) => !DOCS_ROUTES.has(r));
      expect(firstDocs).toBeGreaterThan(lastApi);
    });

    it('gives every operation a summary, a tag, an access level, a success answer and referenced error bodies', () => {
      const tags = new Set((doc.tags as { name: string }[]).map((t) => t.name));
      for (const { key, path, op } of operations(doc)) {
        const where = `${key}: `;
        expect(where + (op.summary ?? '')).not.toBe(where);
        expect(op.tags?.length && op.tags.every((t) => tags.has(t))).toBeTruthy();
        expect(['master_key', 'api_key', 'public']).toContain(op[ACCESS_EXTENSION]);
        expect(Object.keys(op.responses).some((s) => /^2\d\d$/.test(s))).toBe(true);
        const errorSchema = path.startsWith('/v1/messages') || path.startsWith('/messages') ? 'AnthropicErrorResponse' : 'ErrorResponse';
        for (const [status, response] of Object.entries<any>(op.responses)) {
          if (Number(status) >= 400) expect(`${key} ${status} ${response.content['application/json'].schema.$ref}`).toBe(`${key} ${status} #/components/schemas/${errorSchema}`);
        }
        if (op[ACCESS_EXTENSION] !== 'public') {
          expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { 'x-api-key': [] }]));
          expect(op.responses['401']).toBeDefined();
        }
      }
    });

    it('declares the error body once, and the security schemes', () => {
      expect(doc.components.schemas.ErrorResponse.properties.error.$ref).toBe('#/components/schemas/Error');
      expect(doc.components.schemas.Error.required).toEqual(['message', 'type', 'param', 'code']);
      expect(doc.components.schemas.AnthropicErrorResponse.properties.type.enum).toEqual(['error']);
      expect(doc.components.securitySchemes).toMatchObject({
        bearer: { type: 'http', scheme: 'bearer' },
        'x-api-key': { type: 'apiKey', in: 'header', name: 'x-api-key' },
      });
    });

    it('documents the inference request shapes, open to unknown fields; admin bodies closed', () => {
      const body = (key: string) => {
        const op = operations(doc).find((o) => o.key === key)!.op;
        const ref: string = op.requestBody.content['application/json'].schema.$ref;
        return doc.components.schemas[ref.split('/').pop()!];
      };
      const chat = body('POST /v1/chat/completions');
      expect(chat.required).toEqual(expect.arrayContaining(['model', 'messages']));
      expect(chat.properties).toHaveProperty('stream');
      expect(chat.additionalProperties).toBe(true);
      expect(body('POST /chat/completions')).toBe(chat);
      expect(body('POST /v1/responses').additionalProperties).toBe(true);
      expect(body('POST /v1/embeddings').required).toEqual(expect.arrayContaining(['model', 'input']));
      expect(body('POST /v1/messages').required).toEqual(expect.arrayContaining(['model', 'messages', 'max_tokens']));
      expect(body('POST /v1/messages/count_tokens').additionalProperties).toBe(true);
      expect(operations(doc).find((o) => o.key === 'GET /v1/models')!.op.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ModelList');
      for (const key of ['POST /model/new', 'POST /model/update', 'PATCH /model/{id}', 'PUT /alias/{name}', 'POST /key/generate', 'POST /key/update', 'POST /key/delete']) {
        expect(`${key}: ${body(key).additionalProperties}`).toBe(`${key}: false`);
      }
    });

    it('describes real answers field for field (keys, models, probes)', async () => {
      const fieldsOf = (name: string): string[] => {
        const schema = doc.components.schemas[name];
        const own = Object.keys(schema.properties ?? {});
        const inherited = (schema.allOf ?? []).flatMap((part: any) => (part.$ref ? fieldsOf(part.$ref.split('/').pop()) : Object.keys(part.properties ?? {})));
        return [...new Set([...own, ...inherited])].sort();
      };
      const get = async (path: string, key = MASTER) => (await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<any>;
      expect(Object.keys(generated).sort()).toEqual(fieldsOf('GeneratedKey'));
      const info = await get(`/key/info?key=${encodeURIComponent(virtualKey)}`);
      expect(Object.keys(info).sort()).toEqual(fieldsOf('KeyInfoAnswer'));
      expect(Object.keys(info.info).sort()).toEqual(fieldsOf('KeyInfo'));
      expect(Object.keys(await get('/key/list')).sort()).toEqual(fieldsOf('KeyList'));
      expect(Object.keys(await get('/spend/logs')).sort()).toEqual(fieldsOf('SpendLogPage'));
      const models = await get('/v1/models', virtualKey);
      expect(Object.keys(models).sort()).toEqual(fieldsOf('ModelList'));
      expect(Object.keys(models.data[0]).sort()).toEqual(fieldsOf('Model'));
      expect(Object.keys(await get('/health/liveliness')).every((k) => fieldsOf('Status').includes(k))).toBe(true);
    });

    it('lists every field each documented DTO validates', () => {
      const storage = getMetadataStorage();
      let checked = 0;
      for (const dto of recordedAdditionalProperties().keys()) {
        const schema = doc.components.schemas[schemaNameOf(dto)];
        if (!schema) continue; // a base class only ever used through its subclasses
        const validated = new Set(storage.getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName));
        const missing = [...validated].filter((p) => !(p in (schema.properties ?? {})));
        expect(`${dto.name}: ${missing.join(', ')}`).toBe(`${dto.name}: `);
        checked++;
      }
      expect(checked).toBeGreaterThan(10);
    });
  });

  describe('access as documented', () => {
    const call = (op: { path: string; method: string }, headers: Record<string, string> = {}) =>
      fetch(`${gw.url}${op.path.replace(/\{\w+\}/g, 'x')}`, {
        method: op.method.toUpperCase(),
        headers: op.method === 'get' ? headers : { ...headers, 'content-type': 'application/json' },
        body: op.method === 'get' ? undefined : '{}',
      });

    it('every keyed operation is 401 without a key; every master-key one is 403 with a virtual key', async () => {
      let keyed = 0;
      for (const o of operations(doc)) {
        const access = o.op[ACCESS_EXTENSION];
        if (access === 'public') continue;
        const anonymous = await call(o);
        expect(`${o.key} ${anonymous.status}`).toBe(`${o.key} 401`);
        if (access === 'master_key') {
          const withVirtual = await call(o, { authorization: `Bearer ${virtualKey}` });
          expect(`${o.key} ${withVirtual.status}`).toBe(`${o.key} 403`);
        }
        keyed++;
      }
      expect(keyed).toBeGreaterThan(25);
    });

    it('/openapi.json: 401 without a key, 403 with a virtual key, 200 with the master key (Bearer, x-api-key or Basic)', async () => {
      const url = `${gw.url}/openapi.json`;
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(((await none.json()) as any).error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      // A script fetching the JSON must not trigger a browser login prompt.
      expect(none.headers.get('www-authenticate')).toBeNull();
      expect((await fetch(url, { headers: { authorization: 'Bearer sk-wrong' } })).status).toBe(401);
      const virtual = await fetch(url, { headers: { authorization: `Bearer ${virtualKey}` } });
      expect(virtual.status).toBe(403);
      expect(((await virtual.json()) as any).error.type).toBe('permission_error');
      expect((await fetch(url, { headers: { 'x-api-key': virtualKey } })).status).toBe(403);
      const masterHeaders: Record<string, string>[] = [{ authorization: `Bearer ${MASTER}` }, { 'x-api-key': MASTER }, { authorization: basic(MASTER) }];
      for (const headers of masterHeaders) {
        const ok = await fetch(url, { headers });
        expect(ok.status).toBe(200);
        expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
        // Read to the end, for the reason drainedStatus gives.
        expect(((await ok.json()) as any).openapi).toMatch(/^3\./);
      }
    });

    it('/docs asks a browser for Basic credentials and takes the master key as the password', async () => {
      const none = await fetch(`${gw.url}/docs`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
      expect(((await none.json()) as any).error.code).toBe('invalid_api_key');
      const wrong = await fetch(`${gw.url}/docs`, { headers: { authorization: basic('sk-wrong') } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect((await fetch(`${gw.url}/docs`, { headers: { authorization: basic(virtualKey) } })).status).toBe(403);
      expect((await fetch(`${gw.url}/docs/swagger-ui.css`)).status).toBe(401);
      const ok = await fetch(`${gw.url}/docs`, { headers: { authorization: basic(MASTER, '') } });
      expect(ok.status).toBe(200);
    });
  });

  describe('the /docs page', () => {
    const auth = { authorization: basic(MASTER) };

    it('is HTML whose every asset is served by the gateway under the base path', async () => {
      const res = await fetch(`${gw.url}/docs`, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
      const html = await res.text();
      expect(html).not.toMatch(/(https?:)?\/\/[a-z]/i);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      const types: Record<string, RegExp> = { css: /^text\/css/, js: /^text\/javascript/, png: /^image\/png/ };
      for (const asset of assets) {
        expect(asset.startsWith(`${BASE}/docs/`)).toBe(true);
        const got = await fetch(`${gw.origin}${asset}`, { headers: auth });
        expect(`${asset} ${got.status}`).toBe(`${asset} 200`);
        expect(got.headers.get('content-type')).toMatch(types[asset.split('.').pop()!]);
        expect((await got.arrayBuffer()).byteLength).toBeGreaterThan(100);
      }
      const init = assets.find((a) => a.endsWith('switchboard-init.js'))!;
      expect(await (await fetch(`${gw.origin}${init}`, { headers: auth })).text()).toContain(`"${BASE}/openapi.json"`);
    });

    it('serves nothing else from the swagger-ui folder', async () => {
      for (const path of ['index.html', 'swagger-initializer.js', 'package.json', '..%2F..%2Fpackage.json', '.hidden']) {
        const res = await fetch(`${gw.url}/docs/${path}`, { headers: auth });
        expect(`${path} ${res.status}`).toBe(`${path} 404`);
      }
    });

    it('lives only under the base path', async () => {
      expect((await fetch(`${gw.origin}/openapi.json`, { headers: { authorization: `Bearer ${MASTER}` } })).status).toBe(404);
      expect((await fetch(`${gw.origin}/docs`, { headers: auth })).status).toBe(404);
    });
  });

  describe('general_settings.public_docs: true', () => {
    let open: OpsGateway;
    beforeAll(async () => {
      open = await startOpsGateway(yaml('  public_docs: true'), { logLevel: 'silent' });
    });
    afterAll(() => open?.close());

    it('serves the document and the page without a key; the admin API still needs one', async () => {
      const res = await fetch(`${open.url}/openapi.json`);
      expect(res.status).toBe(200);
      const served = (await res.json()) as any;
      expect(served.servers).toEqual([{ url: '/' }]);
      expect(Object.keys(served.paths)).toEqual(Object.keys(doc.paths));
      expect(await drainedStatus(fetch(`${open.url}/docs`))).toBe(200);
      expect(await drainedStatus(fetch(`${open.url}/docs/swagger-ui-bundle.js`))).toBe(200);
      expect((await fetch(`${open.url}/model/info`)).status).toBe(401);
    });
  });

  it('public_docs follows POST /config/reload', async () => {
    const reloadable = await startAdminGateway(yaml(), {});
    try {
      expect((await fetch(`${reloadable.url}/openapi.json`)).status).toBe(401);
      reloadable.writeConfig(yaml('  public_docs: true'));
      expect((await fetch(`${reloadable.url}/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}` } })).status).toBe(200);
      expect(await drainedStatus(fetch(`${reloadable.url}/openapi.json`))).toBe(200);
      expect(await drainedStatus(fetch(`${reloadable.url}/docs`))).toBe(200);
    } finally {
      await reloadable.close();
    }
  });

  it('without a master key and public_docs, the docs are off like the admin API (403)', async () => {
    const noKey = await startOpsGateway(yaml('', null), { logLevel: 'silent' });
    try {
      const res = await fetch(`${noKey.url}/openapi.json`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.message).toMatch(/public_docs/);
      expect((await fetch(`${noKey.url}/docs`)).status).toBe(403);
    } finally {
      await noKey.close();
    }
  });
});
