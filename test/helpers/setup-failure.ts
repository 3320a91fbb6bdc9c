// The SetupError a call throws (any other error is rethrown; no error fails the test).
import { SetupError } from '../../src/setup/errors.js';

export function setupFailure(fn: () => unknown): SetupError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SetupError) return err;
    throw err;
  }
  throw new Error('did not fail');
}
