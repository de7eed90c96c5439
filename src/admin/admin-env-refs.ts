import type { ConfigIssue } from '../config/config-error.js';
import type { GatewayConfig } from '../config/config.types.js';
import { findEnvRefs } from '../config/env-ref.js';
import { ENV_VARS, readEnv } from '../config/env-vars.js';
import type { EnvVarName } from '../config/env-vars.js';

export const ALLOWED_ENV_VARS_ENV = 'SWITCHBOARD_ADMIN_ALLOWED_ENV_VARS' satisfies EnvVarName;

/** Provider keys by the common naming convention (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...). */
const PROVIDER_KEY = /^[A-Z][A-Z0-9_]*_API_KEY$/;
const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the gateway reads for itself; compared upper-case, since some platforms ignore case. */
const GATEWAY_OWN = new Set(['DATABASE_URL', 'REDIS_URL', ...Object.keys(ENV_VARS)]);

export interface RefusedEnvRef extends ConfigIssue {
  readonly name: string;
  /** How an operator gets a stored model with this reference served again. */
  readonly remedy: string;
}

/**
 * Which `os.environ/NAME` references a model written over REST may contain. The gateway sends a
 * resolved api_key (or header, or api_base) to whatever api_base the same request names, so an
 * unrestricted reference would hand any variable of the process — the database URL, the master
 * key, cloud credentials, HOME — to any host the caller picks. Allowed are only the variables
 * the config file's model_list already names, `*_API_KEY` names, and an operator's explicit
 * list; the gateway's own variables never, whatever the other rules say.
 */
export class AdminEnvRefPolicy {
  private readonly fileModelVars: ReadonlySet<string>;
  private readonly gatewayVars: ReadonlySet<string>;
  private readonly operatorVars: ReadonlySet<string>;

  constructor(file: GatewayConfig, env: NodeJS.ProcessEnv = process.env) {
    this.fileModelVars = new Set(file.envRefs?.models ?? []);
    this.gatewayVars = new Set((file.envRefs?.gateway ?? []).map((n) => n.toUpperCase()));
    const listed = (readEnv(ALLOWED_ENV_VARS_ENV, env) ?? '').split(',');
    this.operatorVars = new Set(listed.map((n) => n.trim()).filter(Boolean));
  }

  /** Why `name` may not be referenced over REST, or undefined when it may. Never includes a value. */
  refusal(name: string): string | undefined {
    switch (this.classify(name)) {
      case 'invalid':
        return 'is not a valid environment variable name';
      case 'own':
        return `names one of the gateway's own variables (store, Redis, master key, cloud credentials, SWITCHBOARD_* settings), which models written over the admin API may not read`;
      case 'unlisted':
        return (
          'may not be read by models written over the admin API: allowed are variables the config file\'s model_list ' +
          `already references, names ending in _API_KEY, and those listed in ${ALLOWED_ENV_VARS_ENV}`
        );
      default:
        return undefined;
    }
  }

  private classify(name: string): 'invalid' | 'own' | 'unlisted' | undefined {
    if (!VALID_NAME.test(name)) return 'invalid';
    const upper = name.toUpperCase();
    if (GATEWAY_OWN.has(upper) || upper.startsWith('SWITCHBOARD_') || this.gatewayVars.has(upper)) return 'own';
    if (this.fileModelVars.has(name) || PROVIDER_KEY.test(name) || this.operatorVars.has(name)) return undefined;
    return 'unlisted';
  }

  /** One issue per refused reference in a model entry (or part of one), paths relative to `prefix`. */
  issues(entry: unknown, prefix = ''): RefusedEnvRef[] {
    const issues: RefusedEnvRef[] = [];
    for (const ref of findEnvRefs(entry, prefix)) {
      const why = this.refusal(ref.name);
      if (why === undefined) continue;
      const shown = displayName(ref.name);
      const rewrite = 'update the model (PATCH /model/{id}) to drop the reference';
      // The gateway's own variables cannot be opened up by any list: only rewriting the model helps.
      const remedy =
        this.classify(ref.name) === 'unlisted'
          ? `To allow it, add ${shown} to ${ALLOWED_ENV_VARS_ENV} and restart; or ${rewrite}.`
          : `It cannot be allowed: ${rewrite}.`;
      issues.push({ path: ref.path, name: ref.name, message: `os.environ/${shown} ${why}`, remedy });
    }
    return issues;
  }
}

/** The name is the caller's own text, but it still ends up in an error message: keep it short and printable. */
function displayName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
