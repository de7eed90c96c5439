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
 * Dates stay text. PyYAML turns `api_version: 2024-06-01` (unquoted, as Azure examples write it)
 * into a date, and LiteLLM formats it straight back into the URL; a JS Date would not survive
 * that trip, so a timestamp-shaped scalar is kept as the string it was written as.
 */
const TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/;
const timestampAsTextTag = defineScalarTag<string>('tag:yaml.org,2002:timestamp', {
  implicit: true,
  implicitFirstChars: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  resolve: (source) => (TIMESTAMP.test(source) ? source : NOT_RESOLVED),
  identify: () => false,
  represent: (data) => String(data),
});

/**
 * The schema config files are read with: YAML 1.1 as PyYAML resolves it (`20_000`, octal `017`,
 * `1:30` sexagesimal, `~`, yes/no/on/off), so a file means here what it meant under LiteLLM.
 */
export const PYYAML_SCHEMA = YAML11_SCHEMA.withTags(pyyamlBoolTag, timestampAsTextTag);
