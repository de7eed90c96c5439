import type { GatewayConfig } from '../config/config.types.js';
import { AdminEnvRefPolicy } from './admin-env-refs.js';

const file = { envRefs: { models: ['AZURE_BASE', 'OPENROUTER_TOKEN'], gateway: ['LITELLM_MASTER_KEY', 'PG_URL'] } } as unknown as GatewayConfig;

describe('AdminEnvRefPolicy', () => {
  const policy = new AdminEnvRefPolicy(file, { SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS: ' TEAM_TOKEN ,HOME_ISH, DATABASE_URL' });

  it.each(['OPENAI_API_KEY', 'MY_TEAM_API_KEY', 'AZURE_BASE', 'OPENROUTER_TOKEN', 'TEAM_TOKEN', 'HOME_ISH'])('allows %s', (name) => {
    expect(policy.refusal(name)).toBeUndefined();
  });

  it.each([
    ['HOME', /may not be read/],
    ['AWS_SECRET_ACCESS_KEY', /gateway's own variables/],
    ['openai_api_key', /may not be read/],
    ['DATABASE_URL', /gateway's own/],
    ['database_url', /gateway's own/],
    ['REDIS_URL', /gateway's own/],
    ['LOG_LEVEL', /gateway's own/],
    ['SWITCHBOARD_SALT_KEY', /gateway's own/],
    ['SWITCHBOARD_OPENAI_API_KEY', /gateway's own/],
    ['LITELLM_MASTER_KEY', /gateway's own/],
    ['PG_URL', /gateway's own/],
    ['A-B', /not a valid/],
    ['', /not a valid/],
  ])('refuses %j', (name, why) => {
    expect(policy.refusal(name)).toMatch(why);
  });

  it('reports every refused reference in an entry with its path', () => {
    const entry = {
      model_name: 'x',
      litellm_params: { api_key: 'os.environ/HOME', api_base: 'os.environ/AZURE_BASE', extra_headers: { 'x-a': 'os.environ/DATABASE_URL' } },
    };
    expect(policy.issues(entry).map((i) => [i.path, i.name])).toEqual([
      ['litellm_params.api_key', 'HOME'],
      ['litellm_params.extra_headers.x-a', 'DATABASE_URL'],
    ]);
  });

  it('says how a stored reference can be served again: the opt-in list only where it would help', () => {
    const [unlisted, own, invalid] = policy.issues({ a: 'os.environ/HOME', b: 'os.environ/DATABASE_URL', c: 'os.environ/A-B' });
    expect(unlisted.remedy).toBe('To allow it, add HOME to SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS and restart; or update the model (PATCH /model/{id}) to drop the reference.');
    for (const issue of [own, invalid]) {
      expect(issue.remedy).toMatch(/^It cannot be allowed: update the model/);
      expect(issue.remedy).not.toContain('SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS');
    }
  });
});
