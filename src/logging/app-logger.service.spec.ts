import { createPinoLogger } from './create-logger.js';
import { AppLogger } from './app-logger.service.js';

function capture(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const logger = new AppLogger(createPinoLogger(level, { write: (s: string) => void lines.push(JSON.parse(s)) }));
  return { logger, lines };
}

describe('AppLogger (Nest LoggerService over pino)', () => {
  it('takes the trailing string as the context and maps Nest levels to pino levels', () => {
    const { logger, lines } = capture();
    logger.log('hello', 'Config');
    logger.warn('careful', 'Auth');
    logger.verbose('details', 'Router');
    expect(lines.map((l) => [l.level, l.context, l.msg])).toEqual([
      ['info', 'Config', 'hello'],
      ['warn', 'Auth', 'careful'],
      ['trace', 'Router', 'details'],
    ]);
  });

  it('keeps a stack passed before the context by Nest', () => {
    const { logger, lines } = capture();
    logger.error('failed', 'Error: x\n    at foo (a.js:1:1)', 'Store');
    expect(lines[0]).toMatchObject({ level: 'error', context: 'Store', msg: 'failed', stack: expect.stringContaining('at foo') });
  });

  it("demotes Nest's start-up chatter to debug", () => {
    const { logger, lines } = capture('info');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v1/models, GET} route', 'RouterExplorer');
    logger.log('store ready', 'Store');
    expect(lines.map((l) => l.msg)).toEqual(['store ready']);
  });

  it('writes objects as fields and errors with their stack', () => {
    const { logger, lines } = capture();
    logger.log({ event: 'x', n: 1 }, 'Ctx');
    logger.error(new Error('boom'), 'Ctx');
    expect(lines[0]).toMatchObject({ event: 'x', n: 1, context: 'Ctx' });
    expect(lines[1]).toMatchObject({ msg: 'boom', context: 'Ctx', err: { message: 'boom' } });
  });
});
