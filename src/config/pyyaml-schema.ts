import { defineScalarTag, NOT_RESOLVED, YAML11_SCHEMA } from 'js-yaml';

/**
 * PyYAML's implicit booleans. LiteLLM reads config.yaml with PyYAML, so `drop_params: yes` or
 * `on` is true there; js-yaml's YAML 1.1 tag also takes `y`/`n`, which PyYAML keeps as strings.
 */
const TRUE_FORMS = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_FORMS = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const pyyamlBoolTag = defineScalarTag<boolean>('tag:yaml.org,2002:bool', {
  implicit: true,
  implicitFirstChars: ['y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O'],
  resolve: (source) => (TRUE_FORMS.has(source) ? true : FALSE_FORMS.has(source) ? false : NOT_RESOLVED),
  identify: (data) => typeof data === 'boolean',
  represent: (data) => (data ? 'true' : 'false'),
});

/**
 * PyYAML turns `api_version: 2024-06-01` into a date, which LiteLLM then formats back into the
 * same text; keeping it a string here gives the value LiteLLM sends.
 */
const timestampAsTextTag = defineScalarTag<string>('tag:yaml.org,2002:timestamp', {
  implicit: true,
  implicitFirstChars: null,
  resolve: () => NOT_RESOLVED,
  identify: () => false,
});

/**
 * The schema config files are read with: YAML 1.1 as PyYAML resolves it (`20_000`, octal `017`,
 * `1:30` sexagesimal, `~`, yes/no/on/off), so a file means here what it meant under LiteLLM.
 */
export const PYYAML_SCHEMA = YAML11_SCHEMA.withTags(pyyamlBoolTag, timestampAsTextTag);
