import { ConfigError } from '../config/config-error.js';
import { GatewayError } from '../common/gateway-error.js';

/**
 * A rejected admin write: ConfigError paths become the 400's `param`. Paths of stored models read
 * `model '<id>'.litellm_params.model`; the field part is what the client sent, so that is the param.
 */
export function configErrorToGateway(err: ConfigError): GatewayError {
  const issues = err.issues.map((i) => ({ param: fieldOf(i.path), message: i.message, path: i.path }));
  const first = issues[0];
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return GatewayError.invalid(`Invalid configuration: ${text}.`, first?.param || null);
}

function fieldOf(path: string): string {
  return path.replace(/^model '[^']*'\.?/, '').replace(/^model_list\[\d+\]\.?/, '');
}

/** Runs fn, turning a ConfigError into a 400 naming the field. */
export function validated<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw configErrorToGateway(err);
    throw err;
  }
}
