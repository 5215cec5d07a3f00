// Writes media/simpo-config.schema.json from server/config/schema.ts:  node --import tsx server/config/gen-schema.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaText } from './json-schema';

const out = join(__dirname, '..', '..', 'media', 'simpo-config.schema.json');
writeFileSync(out, jsonSchemaText());
process.stdout.write(`wrote ${out}\n`);
