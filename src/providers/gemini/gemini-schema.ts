/**
 * JSON Schema (what OpenAI clients write for tools and response_format) → Gemini's Schema, an
 * OpenAPI 3.0 subset. Gemini refuses the whole request over one keyword it does not know
 * (`additionalProperties`, `$schema`, `const`), so the schema is rewritten rather than passed on:
 * local `$ref`s are inlined, `type: [t, "null"]` becomes `nullable`, `const` a one-value `enum`,
 * `oneOf` an `anyOf`, and keywords with no counterpart are left out (they only narrow what the
 * model may produce; the model still sees the properties and descriptions).
 */
const KEPT = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);

/** Deeper than any real schema; stops a recursive `$ref` from expanding forever. */
const MAX_DEPTH = 32;

type Schema = Record<string, unknown>;

export function toGeminiSchema(schema: Schema): Schema {
  const defs = { ...(asObject(schema.definitions) ?? {}), ...(asObject(schema.$defs) ?? {}) };
  return convert(schema, defs, 0);
}

function convert(input: Schema, defs: Schema, depth: number): Schema {
  let schema = input;
  const ref = typeof schema.$ref === 'string' ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec(schema.$ref) : null;
  if (ref) {
    const target = asObject(defs[decodeURIComponent(ref[1])]);
    // An unresolvable or too-deep reference is left open rather than failing the request.
    if (!target || depth >= MAX_DEPTH) return {};
    schema = { ...target, ...omit(schema, '$ref') };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && Array.isArray(value)) {
      const types = value.filter((t) => t !== 'null');
      if (types.length !== value.length) out.nullable = true;
      if (types.length === 1) out.type = types[0];
      else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
    } else if (key === 'const') {
      out.enum = [value];
    } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      const options = value.filter((o) => asObject(o)?.type !== 'null');
      if (options.length !== value.length) out.nullable = true;
      const converted = options.map((o) => convert(asObject(o) ?? {}, defs, depth + 1));
      if (converted.length === 1) Object.assign(out, converted[0]);
      else out.anyOf = converted;
    } else if (key === 'properties' && asObject(value)) {
      const props: Schema = {};
      for (const [name, prop] of Object.entries(value as Schema)) props[name] = convert(asObject(prop) ?? {}, defs, depth + 1);
      out.properties = props;
    } else if (key === 'items' && asObject(value)) {
      out.items = convert(value as Schema, defs, depth + 1);
    } else if (key === 'enum' && Array.isArray(value)) {
      // Gemini's enums are strings.
      out.enum = value.map(String);
      out.type ??= 'string';
    } else if (KEPT.has(key)) {
      out[key] = value;
    }
  }
  if (out.enum && out.type !== 'string') out.type = 'string';
  if (Array.isArray(out.required) && asObject(out.properties) && Object.keys(out.properties as Schema).length === 0) delete out.required;
  return out;
}

function omit(schema: Schema, key: string): Schema {
  const { [key]: _, ...rest } = schema;
  return rest;
}

function asObject(v: unknown): Schema | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Schema) : undefined;
}
