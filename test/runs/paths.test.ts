import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { isInside, resolveRunsDir } from '../../server/runs/paths';

test('a runs dir from a config must stay inside the workspace or the config folder; a flag is trusted', () => {
  const cwd = path.resolve('/work/ws');
  const configPath = path.join(cwd, 'configs', 'a.yaml');
  assert.equal(resolveRunsDir({ cwd }), path.join(cwd, '.simpo', 'runs'));
  assert.equal(resolveRunsDir({ cwd, fromConfig: '../runs', configPath }), path.join(cwd, 'runs'));
  assert.equal(resolveRunsDir({ cwd, fromConfig: 'out', configPath }), path.join(cwd, 'configs', 'out'));
  assert.throws(() => resolveRunsDir({ cwd, fromConfig: '/etc/x', configPath }), /a\.yaml: runs_dir "\/etc\/x" resolves to \/etc\/x, outside the workspace/);
  assert.throws(() => resolveRunsDir({ cwd, fromConfig: '../../../tmp', configPath }), /outside the workspace/);
  assert.equal(resolveRunsDir({ cwd, explicit: '/tmp/r', fromConfig: '/etc/x', configPath }), '/tmp/r');
  assert.equal(isInside('/a/b/../c', '/a'), true);
  assert.equal(isInside('/ab', '/a'), false);
});
