import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { runCheck } from './cli/check-command.js';
import { SERVER_FLAGS, serverOptionsFrom } from './cli/server-flags.js';
import { StoreUnavailableError } from './store/store-unavailable.error.js';
import { UsageError } from './cli/usage-error.js';
import { ConfigError } from './config/config-error.js';
import { parseConfigText, readConfigText } from './config/config-loader.js';
import { checkConfigText } from './cli/check-command.js';
import { readEnv } from './config/env-vars.js';
import { RoutingTable } from './routing/routing-table.js';
import { storeLocationFromEnv } from './store/store-location.js';

const DEFAULT_CONFIG = 'config/example.yaml';
const DEFAULT_PORT = 4000;

const USAGE = `usage: switchboard [options]            start the gateway
       switchboard check --config file   validate a config and exit (see check --help)

options (environment variable in brackets):
  --config, -c <file>        config.yaml [CONFIG_PATH], default ${DEFAULT_CONFIG}
  --port, -p <port>          [PORT], default ${DEFAULT_PORT}
  --host <addr>              [HOST], default 0.0.0.0
  --data-dir <dir>           embedded SQLite store directory [DATA_DIR], default ./data
  --base-path <path>         serve every route under e.g. /llm [SERVER_ROOT_PATH]
  --trust-proxy <v>          true | hop count | addresses/subnets [TRUST_PROXY], default false
  --cors-origins <list>      comma-separated origins or '*' [CORS_ORIGINS], default off
  --body-limit <size>        e.g. 20mb [BODY_LIMIT], default 20mb
  --keep-alive-timeout <s>   [KEEP_ALIVE_TIMEOUT], default 65
  --headers-timeout <s>      [HEADERS_TIMEOUT], default keep-alive + 1
  --shutdown-grace <s>       time for in-flight requests after SIGTERM [SHUTDOWN_GRACE], default 30
  --shutdown-delay <s>       keep accepting, readiness failing, before draining [SHUTDOWN_DELAY], default 0
  --log-level <level>        [LOG_LEVEL], default info
  --upstream-max-sockets <n> open sockets per upstream host [UPSTREAM_MAX_SOCKETS], default 1024
  (DATABASE_URL switches the store to PostgreSQL; REDIS_URL shares state between replicas)
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'check') {
    const result = runCheck(argv.slice(1));
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exitCode = result.code;
    return;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...SERVER_FLAGS,
      },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const givenPath = values.config ?? readEnv('CONFIG_PATH') ?? DEFAULT_CONFIG;
  const configPath = resolve(givenPath);
  const port = parsePort(values.port ?? readEnv('PORT') ?? String(DEFAULT_PORT));
  const host = values.host ?? readEnv('HOST') ?? '0.0.0.0';
  const server = serverOptionsFrom(values);

  const loaded = loadForStartup(configPath, givenPath);
  RoutingTable.compile(loaded.config); // fail before Nest starts, with the config's own message

  // Loaded only to serve: `check` must stay quick in CI.
  const { createApp } = await import('./bootstrap.js');
  const { AppLogger } = await import('./logging/app-logger.service.js');
  const { ShutdownService } = await import('./health/shutdown.service.js');
  const app = await createApp({ configPath, loaded, store: storeLocationFromEnv(values['data-dir']), server });
  const logger = app.get(AppLogger);
  const shutdown = app.get(ShutdownService);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.pino.warn({ context: 'Shutdown', signal }, 'second signal: exiting without waiting');
      logger.pino.flush();
      process.exit(1);
    }
    logger.pino.info({ context: 'Shutdown', signal }, 'signal received');
    void (async () => {
      await shutdown.drain(app.getHttpServer(), { graceMs: server.shutdownGraceMs ?? 30_000, delayMs: server.shutdownDelayMs });
      await app.close(); // Nest's destroy hooks: the store closes its pool here
      logger.pino.info({ context: 'Shutdown' }, 'bye');
      await logger.flush();
      process.exit(0);
    })().catch(async (err: unknown) => {
      logger.pino.error({ context: 'Shutdown', err: { message: (err as Error)?.message, stack: (err as Error)?.stack } }, 'shutdown failed');
      await logger.flush();
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // One request's forgotten promise must not take every other open stream down with it.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.pino.error({ context: 'Process', err: { message: (reason as Error)?.message ?? String(reason), stack: (reason as Error)?.stack } }, 'unhandled rejection');
  });

  await app.listen(port, host);
  logger.pino.info(
    { context: 'Main', url: `http://${host}:${port}${server.basePath ?? ''}`, config: configPath },
    `switchboard listening on http://${host}:${port}${server.basePath ?? ''}`,
  );
  // Start-up lines (config warnings included) should not wait for the batching timer.
  logger.pino.flush();
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: '${value}' is not a valid port number`);
  }
  return port;
}

/**
 * Start-up runs `check`'s validation (with unset variables as warnings, since those fail per
 * request) so both list the same problems, all of them in one run; only then is the file loaded.
 */
function loadForStartup(configPath: string, givenPath: string) {
  const text = readConfigText(configPath, givenPath);
  const report = checkConfigText(text, process.env, { allowMissingEnv: true }, givenPath);
  if (report.errors.length > 0) throw new ConfigError(report.errors);
  return parseConfigText(text, process.env, givenPath);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    // Lines that start with a space continue the one before (the YAML excerpt): not a new problem.
    const lines = err.message.split('\n').map((l) => (l.startsWith(' ') ? l : `switchboard: invalid config: ${l}`));
    process.stderr.write(`${lines.join('\n')}\n`);
  } else if (err instanceof UsageError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
    process.exit(2);
  } else if (err instanceof StoreUnavailableError) {
    process.stderr.write(`switchboard: ${err.message}\n`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write(`switchboard: cannot listen: ${(err as Error).message}\n`);
  } else {
    process.stderr.write(`switchboard: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
});
