// The schema as a JSON Schema (draft-07) for the Red Hat YAML extension (package.json contributes it through
// `yamlValidation`). Generated from ./schema.ts; media/simpo-config.schema.json is its committed output, kept in
// step by test/config/json-schema.test.ts (regenerate: node --import tsx server/config/gen-schema.ts).
import { ALIASES, KEYS, keyMarkdown, type KeySpec } from './schema';

type Json = Record<string, unknown>;

function typeOf(k: KeySpec): Json {
  const t: Json = {};
  switch (k.type) {
    case 'number': t.type = 'number'; break;
    case 'integer': t.type = 'integer'; break;
    case 'string': t.type = 'string'; break;
    case 'boolean': t.type = 'boolean'; break;
    case 'enum': t.enum = [...k.enum!]; break;
    case 'string-list': t.type = 'array'; t.items = { type: 'string' }; break;
    case 'number-map': t.type = 'object'; t.additionalProperties = { type: 'number', exclusiveMinimum: 0, maximum: 1 }; break;
    case 'any': return {};
  }
  if (k.min !== undefined) t[k.minExclusive ? 'exclusiveMinimum' : 'minimum'] = k.min;
  if (k.max !== undefined) t[k.maxExclusive ? 'exclusiveMaximum' : 'maximum'] = k.max;
  if (k.nullable) {
    if (t.enum) return { enum: [...(t.enum as unknown[]), null] };
    return { anyOf: [t, { type: 'null' }] };
  }
  return t;
}

export function toJsonSchema(): Json {
  const properties: Record<string, Json> = {};
  for (const k of KEYS) {
    const p: Json = { ...typeOf(k), markdownDescription: keyMarkdown(k), description: k.effect === 'no-effect' ? `Has no effect here: ${k.why}.` : k.doc.replace(/`/g, '') };
    if (k.effect === 'used' && !k.required && k.default !== null) p.default = k.default;
    properties[k.name] = p;
  }
  for (const a of ALIASES) {
    properties[a.name] = {
      markdownDescription: `\`${a.name}\` (${a.source}) is converted to \`${a.target}\`; prefer \`${a.target}\`.`,
      description: `${a.name} (${a.source}) is converted to ${a.target}.`,
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://simpo-studio.invalid/simpo-config.schema.json',
    title: 'SimPO Studio training config',
    description: 'A SimPO / DPO / SFT training config (SimPO reference-config keys; generated from server/config/schema.ts).',
    type: 'object',
    properties,
    required: KEYS.filter((k) => k.required).map((k) => k.name),
    additionalProperties: false,
  };
}

export function jsonSchemaText(): string {
  return JSON.stringify(toJsonSchema(), null, 2) + '\n';
}
