import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, ConfigIssue } from '../config/config-error.js';
import { analyzeConfigText, ConfigAnalysis, loadConfigYaml } from '../config/config-loader.js';
import { DeploymentConfig, GatewayConfig } from '../config/config.types.js';
import { readEnv } from '../config/env-vars.js';
import { resolveEnvRefs } from '../config/env-ref.js';
import { RoutingTable } from '../routing/routing-table.js';
import { UsageError } from './usage-error.js';
import { findWildcardShadowing } from './wildcard-shadowing.js';

export interface CheckOptions {
  /** Unset `os.environ/` variables are warnings instead of errors (CI without production secrets). */
  readonly allowMissingEnv?: boolean;
}

export interface CheckReport {
  readonly errors: ConfigIssue[];
  readonly warnings: ConfigIssue[];
  readonly models?: number;
  readonly aliases?: number;
}

const PLACEHOLDER = 'switchboard-check-placeholder';

/**
 * Validates a config the way start-up does, but collects instead of stopping at the first
 * problem: YAML and shape (per entry and per setting), unset environment variables, then (with
 * placeholders standing in for unset variables, and over the entries that did parse) providers,
 * aliases, fallbacks, duplicate ids and wildcard shadowing.
 */
export function checkConfigText(text: string, env: NodeJS.ProcessEnv, options: CheckOptions = {}, file?: string): CheckReport {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  let raw: unknown;
  try {
    raw = loadConfigYaml(text, file);
  } catch (err) {
    return { errors: issuesOf(() => { throw err; }), warnings };
  }

  const effectiveEnv: NodeJS.ProcessEnv = { ...env };
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const block = (raw as Record<string, unknown>).environment_variables;
    if (block && typeof block === 'object' && !Array.isArray(block)) {
      for (const [k, v] of Object.entries(block)) if (effectiveEnv[k] === undefined && v != null) effectiveEnv[k] = String(v);
    }
    const { missing } = resolveEnvRefs(raw, effectiveEnv);
    for (const m of missing) {
      (options.allowMissingEnv ? warnings : errors).push({ path: m.path, message: `environment variable ${m.name} is not set` });
      effectiveEnv[m.name] = /api_base$/.test(m.path) ? 'http://placeholder.invalid' : PLACEHOLDER;
    }
  }

  let analysis;
  try {
    analysis = analyzeConfigText(text, effectiveEnv, file);
  } catch (err) {
    errors.push(...issuesOf(() => { throw err; }));
    return { errors, warnings };
  }
  errors.push(...analysis.issues);
  for (const w of analysis.warnings) warnings.push(splitWarning(w));

  const { config: semantic, fileIndexes, standIns } = withStandIns(analysis, raw);
  const { table, issues } = RoutingTable.analyze(semantic, env);
  for (const issue of issues) {
    const mapped = remapModelIndexes(issue, fileIndexes);
    // A rejected entry already has its error; only checks that read its name or id still apply.
    if (standIns.has(mapped.path.match(/^model_list\[\d+\]/)?.[0] ?? '') && !/\.(model_name|model_info\.id)$/.test(mapped.path)) continue;
    errors.push(mapped);
  }

  const firstEntry = new Map<string, number>();
  semantic.models.forEach((d, k) => {
    if (!firstEntry.has(d.modelName)) firstEntry.set(d.modelName, fileIndexes[k]);
  });
  const pathOf = (name: string) =>
    firstEntry.has(name) ? `model_list[${firstEntry.get(name)}].model_name` : `router_settings.model_group_alias.${name}`;
  const shadowing = findWildcardShadowing(table);
  for (const s of shadowing.overridden) {
    warnings.push({ path: pathOf(s.name), message: `'${s.name}' also matches wildcard '${s.by}'; the exact entry wins for this name` });
  }
  return { errors, warnings, models: analysis.config.models.length, aliases: Object.keys(analysis.config.aliases).length };
}

/**
 * The parsed config plus a stand-in for each rejected model_list entry whose model_name is
 * usable, so an alias or fallback naming it is not reported a second time as "not configured",
 * and its name and id still take part in the duplicate and wildcard checks.
 */
function withStandIns(analysis: ConfigAnalysis, raw: unknown): { config: GatewayConfig; fileIndexes: number[]; standIns: Set<string> } {
  const list = raw && typeof raw === 'object' && Array.isArray((raw as Record<string, unknown>).model_list)
    ? ((raw as Record<string, unknown>).model_list as unknown[])
    : [];
  const byIndex = new Map<number, DeploymentConfig>();
  analysis.config.models.forEach((d, k) => byIndex.set(analysis.modelIndexes[k], d));
  const standIns = new Set<string>();
  list.forEach((entry, i) => {
    if (byIndex.has(i) || !entry || typeof entry !== 'object') return;
    const e = entry as Record<string, unknown>;
    if (typeof e.model_name !== 'string' || !e.model_name) return;
    const info = e.model_info && typeof e.model_info === 'object' ? (e.model_info as Record<string, unknown>) : {};
    const id = typeof info.id === 'string' && info.id ? info.id : `check-stand-in-${i}`;
    byIndex.set(i, {
      id,
      modelName: e.model_name,
      model: 'openai/stand-in',
      extraHeaders: {},
      useChatForResponses: false,
      modelInfo: { id },
      source: 'file',
    });
    standIns.add(`model_list[${i}]`);
  });
  const fileIndexes = [...byIndex.keys()].sort((x, y) => x - y);
  return { config: { ...analysis.config, models: fileIndexes.map((i) => byIndex.get(i)!) }, fileIndexes, standIns };
}

/** The routing table numbers the entries it was given; entries dropped entirely shift that numbering. */
function remapModelIndexes(issue: ConfigIssue, fileIndexes: readonly number[]): ConfigIssue {
  const fix = (s: string) => s.replace(/model_list\[(\d+)\]/g, (_, k: string) => `model_list[${fileIndexes[Number(k)] ?? k}]`);
  return { path: fix(issue.path), message: fix(issue.message) };
}

export function formatReport(file: string, report: CheckReport, failed = report.errors.length > 0): string {
  const line = (kind: string, i: ConfigIssue) => `${kind}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
  const out = [...report.errors.map((i) => line('error', i)), ...report.warnings.map((i) => line('warning', i))];
  const counts = `${report.errors.length} error(s), ${report.warnings.length} warning(s)`;
  out.push(
    !failed
      ? `${file}: OK (${report.models ?? 0} model entries, ${report.aliases ?? 0} aliases; ${counts})`
      : `${file}: INVALID (${counts})`,
  );
  return `${out.join('\n')}\n`;
}

/** `switchboard check --config file.yaml [--allow-missing-env] [--strict]`: exit 0 valid, 1 invalid, 2 usage. */
export function runCheck(argv: string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        'allow-missing-env': { type: 'boolean' },
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    }));
  } catch (err) {
    return { code: 2, stdout: '', stderr: `switchboard check: ${(err as Error).message}\n` };
  }
  if (values.help) {
    return {
      code: 0,
      stdout: 'usage: switchboard check --config file.yaml [--allow-missing-env] [--strict]\n' +
        '  validates the config without starting; exit 0 when valid, 1 when not.\n' +
        '  --allow-missing-env  unset os.environ/ variables are warnings, not errors\n' +
        '  --strict             warnings count as errors\n',
      stderr: '',
    };
  }
  const file = values.config ?? positionals[0] ?? readEnv('CONFIG_PATH', env);
  if (!file) return { code: 2, stdout: '', stderr: 'switchboard check: --config <file.yaml> is required\n' };
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { code: 1, stdout: '', stderr: `error: cannot read config file ${file}: ${reason}\n${file}: INVALID\n` };
  }
  const report = checkConfigText(text, env, { allowMissingEnv: values['allow-missing-env'] === true }, file);
  const failed = report.errors.length > 0 || (values.strict === true && report.warnings.length > 0);
  const text2 = formatReport(file, report, failed);
  return failed ? { code: 1, stdout: '', stderr: text2 } : { code: 0, stdout: text2, stderr: '' };
}

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    if (err instanceof UsageError) return [{ path: '', message: err.message }];
    return [{ path: '', message: err instanceof Error ? err.message : String(err) }];
  }
}

/** Loader warnings read `path: message`. */
function splitWarning(w: string): ConfigIssue {
  const i = w.indexOf(': ');
  return i > 0 && !w.slice(0, i).includes(' ') ? { path: w.slice(0, i), message: w.slice(i + 2) } : { path: '', message: w };
}
