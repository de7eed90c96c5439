import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Public } from '../auth/auth.decorators.js';
import { ErrorCode, GatewayError } from '../common/gateway-error.js';
import { DocsAccessGuard } from './docs-access.guard.js';
import { INITIALIZER_ASSET, OpenApiDocsService, SWAGGER_UI_ASSETS } from './openapi-docs.service.js';

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

// Everything the page loads comes from this gateway; swagger-ui styles some elements inline.
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * GET /openapi.json and the browsable /docs. @Public() lets them past the global guard, which
 * knows neither HTTP Basic nor public_docs; DocsAccessGuard decides instead.
 */
@ApiExcludeController()
@Public()
@UseGuards(DocsAccessGuard)
@Controller()
export class DocsController {
  private readonly assets = new Map<string, Promise<Buffer>>();

  constructor(private readonly docs: OpenApiDocsService) {}

  @Get('openapi.json')
  document(@Res() res: Response): void {
    res.setHeader('cache-control', 'no-store');
    res.type('application/json').send(this.page().json);
  }

  @Get('docs')
  html(@Res() res: Response): void {
    res.setHeader('content-security-policy', DOCS_CSP);
    res.setHeader('cache-control', 'no-store');
    res.type('text/html; charset=utf-8').send(this.page().html);
  }

  @Get('docs/:file')
  async asset(@Param('file') file: string, @Res() res: Response): Promise<void> {
    if (file === INITIALIZER_ASSET) {
      res.type('text/javascript; charset=utf-8').send(this.page().initializer);
      return;
    }
    const type = Object.hasOwn(SWAGGER_UI_ASSETS, file) ? SWAGGER_UI_ASSETS[file] : undefined;
    if (!type) throw new GatewayError(ErrorCode.RouteNotFound, `No such file in /docs: ${file.slice(0, 100)}`);
    const body = await this.read(file);
    res.setHeader('cache-control', 'private, max-age=3600');
    res.type(type).send(body);
  }

  /** Read on first use, then kept: about 1.5 MB, only held once someone opens the docs. */
  private read(file: string): Promise<Buffer> {
    let body = this.assets.get(file);
    if (!body) {
      body = readFile(join(SWAGGER_UI_DIR, file));
      body.catch(() => this.assets.delete(file));
      this.assets.set(file, body);
    }
    return body;
  }

  private page() {
    const page = this.docs.published;
    // Only an application built without bootstrap.ts's createApp() can get here.
    if (!page) throw new GatewayError(ErrorCode.Internal, 'The OpenAPI document was not built at start-up.');
    return page;
  }
}
