// Learning-rate schedules and step counts against values computed by hand from transformers' formulas
// (get_linear_schedule_with_warmup, get_cosine_schedule_with_warmup, get_constant_schedule(_with_warmup)).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lrLambda, planSteps, warmupStepsFor } from '../../server/train/schedule';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('linear with warmup: ramps from 0, peaks at the warmup step, decays to 0 at the last step', () => {
  // total 10, warmup 2: lambda(0)=0, (1)=0.5, (2)=1, (6)=(10-6)/8=0.5, (10)=0
  close(lrLambda('linear', 0, 10, 2), 0, 'step 0');
  close(lrLambda('linear', 1, 10, 2), 0.5, 'step 1');
  close(lrLambda('linear', 2, 10, 2), 1, 'step 2');
  close(lrLambda('linear', 6, 10, 2), 0.5, 'step 6');
  close(lrLambda('linear', 10, 10, 2), 0, 'step 10');
  close(lrLambda('linear', 12, 10, 2), 0, 'never negative');
});

test('cosine with warmup: half a cycle after warmup', () => {
  // total 12, warmup 2: step 7 is progress 0.5 -> 0.5; step 2 -> 1; step 12 -> 0; step 4.5 -> progress .25
  close(lrLambda('cosine', 1, 12, 2), 0.5, 'warmup');
  close(lrLambda('cosine', 2, 12, 2), 1, 'peak');
  close(lrLambda('cosine', 7, 12, 2), 0.5, 'middle');
  close(lrLambda('cosine', 12, 12, 2), 0, 'end');
  close(lrLambda('cosine', 4, 12, 2), 0.5 * (1 + Math.cos(Math.PI * 0.2)), 'step 4');
});

test('constant and constant_with_warmup', () => {
  close(lrLambda('constant', 0, 10, 5), 1, 'constant ignores warmup');
  close(lrLambda('constant_with_warmup', 1, 10, 4), 0.25, 'warmup');
  close(lrLambda('constant_with_warmup', 9, 10, 4), 1, 'after warmup');
});

test('warmup steps: warmup_steps wins over warmup_ratio, which rounds up', () => {
  assert.equal(warmupStepsFor(100, 0, 0.1), 10);
  assert.equal(warmupStepsFor(95, 0, 0.1), 10); // ceil(9.5)
  assert.equal(warmupStepsFor(100, 3, 0.1), 3);
  assert.equal(warmupStepsFor(100, 0, 0), 0);
});

test('steps: max_steps wins; otherwise ceil(epochs × floor(batches / accumulation))', () => {
  assert.deepEqual(planSteps({ batchesPerEpoch: 23, gradientAccumulationSteps: 4, numTrainEpochs: 2, maxSteps: -1, warmupSteps: 0, warmupRatio: 0.1 }), { stepsPerEpoch: 5, totalSteps: 10, warmup: 1 });
  assert.equal(planSteps({ batchesPerEpoch: 23, gradientAccumulationSteps: 4, numTrainEpochs: 1.5, maxSteps: -1, warmupSteps: 0, warmupRatio: 0 }).totalSteps, 8);
  assert.equal(planSteps({ batchesPerEpoch: 23, gradientAccumulationSteps: 4, numTrainEpochs: 3, maxSteps: 7, warmupSteps: 0, warmupRatio: 0 }).totalSteps, 7);
  assert.equal(planSteps({ batchesPerEpoch: 2, gradientAccumulationSteps: 4, numTrainEpochs: 1, maxSteps: -1, warmupSteps: 0, warmupRatio: 0 }).stepsPerEpoch, 1);
});
