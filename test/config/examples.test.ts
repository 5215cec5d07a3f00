// The shipped example config (with its real tiny model and dataset on disk) and the New Config templates of the
// extension validate with no error: what users start from must not be red.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { loadConfigFile, parseConfigText } from '../../server/config/load';
import { configTemplate } from '../../extension/templates';

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'simpo-demo.simpo.yaml');

test('examples/simpo-demo.simpo.yaml validates with its model and dataset checked on disk', { skip: !fs.existsSync(EXAMPLE) && 'no example config yet' }, async () => {
  const r = await loadConfigFile(EXAMPLE, { workspaceRoots: [ROOT] });
  assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  assert.ok(!r.findings.some((f) => f.code.startsWith('path-') || f.code.endsWith('-format')), JSON.stringify(r.findings));
  assert.ok(path.isAbsolute(r.config.model_name_or_path));
});

test('the New Config templates (SimPO and DPO) have no errors', () => {
  for (const algorithm of ['simpo', 'dpo'] as const) {
    const r = parseConfigText(configTemplate({ algorithm }), `${algorithm}.simpo.yaml`);
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), [], algorithm);
    assert.equal(r.config.algorithm, algorithm);
    assert.ok(!r.findings.some((f) => f.code === 'paper-beta' || f.code === 'paper-lr'), `${algorithm}: the paper's values`);
  }
});
