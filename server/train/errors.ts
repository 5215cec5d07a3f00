// Errors the user can fix (a bad config, data or checkpoint): the CLI exits 1 for these, 2 for training failures.
import { DataError } from '../data/errors';

export class TrainingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

/** A non-finite loss or gradient norm: names the step and the last finite values. */
export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

export function isInputError(e: unknown): boolean {
  return e instanceof TrainingInputError || e instanceof DataError;
}
