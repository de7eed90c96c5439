import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { createApp } from './bootstrap.js';
import { ConfigError } from './config/config-error.js';
import { readConfigFile } from './config/config-loader.js';
import { RoutingTable } from './routing/routing-table.js';
import { storeLocationFromEnv } from './store/store-location.js';

const DEFAULT_CONFIG = 'config/example.yaml';
const DEFAULT_PORT = 4000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write('usage: switchboard [--config file.yaml] [--port 4000] [--host 0.0.0.0] [--data-dir ./data]\n');
    return;
  }
  const configPath = resolve(values.config ?? process.env.CONFIG_PATH ?? DEFAULT_CONFIG);
  const port = parsePort(values.port ?? process.env.PORT ?? String(DEFAULT_PORT));
  const host = values.host ?? process.env.HOST ?? '0.0.0.0';

  const loaded = readConfigFile(configPath);
  RoutingTable.compile(loaded.config); // fail before Nest starts, with the config's own message

  // DATABASE_URL (PostgreSQL) wins over general_settings.database_url, then SQLite in --data-dir / DATA_DIR.
  const store = storeLocationFromEnv(values['data-dir']);
  const app = await createApp({ configPath, loaded, store });
  await app.listen(port, host);
  process.stdout.write(`switchboard listening on http://${host}:${port} (config ${configPath})\n`);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: '${value}' is not a valid port number`);
  }
  return port;
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`switchboard: invalid config: ${err.message.split('\n').join('\nswitchboard: invalid config: ')}\n`);
  } else if (err instanceof UsageError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write(`switchboard: cannot listen: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`switchboard: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
