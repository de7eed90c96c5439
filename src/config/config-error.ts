export interface ConfigIssue {
  /** Where in the config, e.g. `model_list[2].litellm_params.model`. */
  readonly path: string;
  readonly message: string;
}

/** A config that cannot be served. Its message names the offending path; never a stack trace for users. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n'));
    this.name = 'ConfigError';
  }

  static at(path: string, message: string): ConfigError {
    return new ConfigError([{ path, message }]);
  }
}
