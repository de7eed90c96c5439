import { Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

/** Files of swagger-ui-dist that /docs serves; nothing else from that folder is reachable. */
export const SWAGGER_UI_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};
export const INITIALIZER_ASSET = 'switchboard-init.js';

/**
 * The served document and the /docs page, rendered once when the application is built
 * (bootstrap.ts calls publish()), so a request for them only writes a prepared string.
 */
@Injectable()
export class OpenApiDocsService {
  private rendered?: { json: string; html: string; initializer: string };

  publish(document: OpenAPIObject, basePath: string): void {
    const docsUrl = `${basePath}/docs`;
    this.rendered = {
      json: JSON.stringify(document),
      html: renderHtml(docsUrl, document.info.title),
      initializer: renderInitializer(`${basePath}/openapi.json`),
    };
  }

  get published(): { json: string; html: string; initializer: string } | undefined {
    return this.rendered;
  }
}

function renderHtml(docsUrl: string, title: string): string {
  const at = (file: string) => escapeHtml(`${docsUrl}/${file}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} API</title>
<link rel="stylesheet" href="${at('swagger-ui.css')}">
<link rel="icon" type="image/png" href="${at('favicon-32x32.png')}" sizes="32x32">
<link rel="icon" type="image/png" href="${at('favicon-16x16.png')}" sizes="16x16">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${at('swagger-ui-bundle.js')}"></script>
<script src="${at('swagger-ui-standalone-preset.js')}"></script>
<script src="${at(INITIALIZER_ASSET)}"></script>
</body>
</html>
`;
}

// A file rather than an inline script, so the page's CSP can forbid inline scripts.
function renderInitializer(documentUrl: string): string {
  return `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(documentUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'BaseLayout',
  });
};
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
