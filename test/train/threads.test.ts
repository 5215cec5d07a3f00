import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadsFromEnv } from '../../server/train/index';

test('SIMPO_THREADS (from the simpo.threads setting) is read as a positive integer, else all cores', () => {
  assert.equal(threadsFromEnv({ SIMPO_THREADS: '3' }), 3);
  assert.equal(threadsFromEnv({}), 0);
  for (const bad of ['0', '-2', '1.5', 'two', '']) assert.equal(threadsFromEnv({ SIMPO_THREADS: bad }), 0, bad);
});
