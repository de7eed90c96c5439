import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import { DECORATORS, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { OpenApiDocsService } from './openapi-docs.service.js';
import { API_KEY_SCHEME, BEARER_SCHEME, recordedAdditionalProperties } from './openapi.decorators.js';

export const OPENAPI_TAGS = [
  { name: 'inference', description: 'OpenAI- and Anthropic-compatible endpoints. Bodies are validated on the fields listed and passed upstream with every other field untouched.' },
  { name: 'models', description: 'Model groups and visible aliases the caller may use.' },
  { name: 'admin: models', description: 'Models at runtime (LiteLLM-compatible), persisted in the store.' },
  { name: 'admin: aliases', description: 'router_settings.model_group_alias at runtime.' },
  { name: 'admin: keys', description: 'Virtual keys with model allow-lists, budgets and rate limits.' },
  { name: 'admin: spend', description: 'Per-request spend log.' },
  { name: 'admin: config', description: 'Configuration reload.' },
  { name: 'operations', description: 'Probes and metrics for the ingress, orchestrator and scraper.' },
];

/**
 * Scans the controllers and DTOs once, at start-up. Paths are written without the base path,
 * which is the document's server URL instead, so the same document reads the same under any
 * --base-path and the "try it out" calls go to the right place.
 */
export function buildOpenApiDocument(app: INestApplication, basePath: string, version: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Switchboard')
    .setDescription(
      'OpenAI-compatible LLM gateway. Every error has a 4xx/5xx status and the `ErrorResponse` body ' +
        '(`AnthropicErrorResponse` on /v1/messages); never status 200.',
    )
    .setVersion(version)
    .addServer(basePath || '/')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'Master key (admin routes) or a virtual key (inference): `Authorization: Bearer sk-…`.' }, BEARER_SCHEME)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key', description: 'The same key in the `x-api-key` header (Anthropic clients).' }, API_KEY_SCHEME);
  for (const tag of OPENAPI_TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    ignoreGlobalPrefix: true,
    autoTagControllers: false,
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  // A handler served at two paths (/v1/x and /x) gets ids suffixed [0] and [1]: keep them valid identifiers.
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as { operationId?: string }[]) {
      if (typeof operation?.operationId === 'string') operation.operationId = operation.operationId.replace(/\[(\d+)\]$/, (_m, n: string) => (n === '0' ? '' : `_${n}`));
    }
  }
  const schemas = document.components?.schemas ?? {};
  for (const [dto, allowed] of recordedAdditionalProperties()) {
    const schema = schemas[schemaNameOf(dto)];
    if (schema && !('$ref' in schema)) schema.additionalProperties = allowed;
  }
  return document;
}

/** Builds the document and hands it to the docs routes; called once by createApp(). */
export function publishOpenApi(app: INestApplication, basePath: string): void {
  const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
  app.get(OpenApiDocsService).publish(buildOpenApiDocument(app, basePath, version), basePath);
}

/** The components.schemas name @nestjs/swagger gives a DTO: @ApiSchema's name, else the class name. */
export function schemaNameOf(dto: Function): string {
  const meta = Reflect.getMetadata(DECORATORS.API_SCHEMA, dto) as { name?: string }[] | { name?: string } | undefined;
  const named = Array.isArray(meta) ? meta.find((m) => m.name)?.name : meta?.name;
  return named ?? dto.name;
}
