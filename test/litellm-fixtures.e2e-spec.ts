import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkConfigText } from '../src/cli/check-command.js';
import { parseConfigText } from '../src/config/config-loader.js';
import { RoutingTable } from '../src/routing/routing-table.js';
import { ROOT } from './helpers/cli.js';

/**
 * Real LiteLLM config.yaml files (source named at the top of each), loaded as `check` and
 * start-up load them. A fixture either loads and resolves every model name to what LiteLLM
 * would call (`# expect:` lines), or is refused only for the reasons its `# refused:` lines name.
 * `# env: NAME=value` lines set a variable the file needs (a master key, AWS_REGION), standing
 * in for the operator's.
 */
const DIR = join(ROOT, 'test', 'fixtures', 'litellm-configs');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const env = { PATH: process.env.PATH ?? '' };

function expectations(text: string) {
  const expect_ = [...text.matchAll(/^# expect: (\S+) => (\S+) \| (\S+) \| (\S+)$/gm)].map((m) => ({ name: m[1], provider: m[2], upstream: m[3], apiBase: m[4] }));
  const refused = [...text.matchAll(/^# refused: (.+)$/gm)].map((m) => m[1]);
  const fileEnv = Object.fromEntries([...text.matchAll(/^# env: (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  return { expect: expect_, refused, env: { ...env, ...fileEnv } };
}

describe('real-world LiteLLM configs', () => {
  it('there are fixtures, each naming its source', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const f of files) expect(readFileSync(join(DIR, f), 'utf8')).toMatch(/^# Source: \S+\/\S+ \S+/);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const { expect: expected, refused, env: fileEnv } = expectations(text);

    it(refused.length ? `is refused only for: ${refused.join('; ')}` : 'loads through check and start-up validation', () => {
      // Start-up runs exactly this (see loadForStartup in main.ts).
      const report = checkConfigText(text, fileEnv, { allowMissingEnv: true }, file);
      if (refused.length === 0) {
        expect(report.errors).toEqual([]);
      } else {
        expect(report.errors.length).toBeGreaterThan(0);
        for (const e of report.errors) expect(refused.some((r) => e.message.includes(r))).toBe(true);
      }
    });

    if (refused.length === 0 && expected.length > 0) {
      it.each(expected.map((e) => [e.name, e] as const))('%s resolves as LiteLLM would', (_name, e) => {
        const table = RoutingTable.compile(parseConfigText(text, fileEnv, file).config, fileEnv);
        const target = table.groupTargets(e.name)![0];
        expect([target.provider, target.upstreamModel]).toEqual([e.provider, e.upstream]);
        if (e.apiBase.startsWith('misconfigured:')) {
          expect(target.deployment.misconfigured).toContain(e.apiBase.slice('misconfigured:'.length));
        } else {
          expect(target.apiBase).toBe(e.apiBase);
        }
      });
    }
  });
});
