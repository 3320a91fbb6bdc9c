// Runs a bundle of the program (its CommonJS source, already read and, for a
// release, verified) as a module of its own, with the launcher's choice handed
// over: the bundle's entry takes it instead of choosing again.
import type * as Vm from 'node:vm';
import path from 'node:path';
import { BUNDLE_PARAMS } from '../../scripts/build/sea-assets.mjs';
import { offerHandover, type Handover } from './running.js';

export interface Bundle {
  source: string;
  filename: string;
  /** The require() the bundle gets: it needs only Node's built-ins. */
  require: NodeJS.Require;
  /** A V8 code cache of `source` (made by the same Node), to skip compiling it. */
  cachedData?: Buffer | undefined;
}

export function runBundle(bundle: Bundle, handover: Handover): void {
  const vm = require('node:vm') as typeof Vm;
  const fn = vm.compileFunction(bundle.source, BUNDLE_PARAMS, { filename: bundle.filename, ...(bundle.cachedData ? { cachedData: bundle.cachedData } : {}) });
  if (bundle.cachedData) handover.running.codeCache = (fn as { cachedDataRejected?: boolean }).cachedDataRejected ? 'rejected' : 'accepted';
  const module = { exports: {} };
  offerHandover(handover);
  try {
    fn.call(module.exports, module.exports, bundle.require, module, bundle.filename, path.dirname(bundle.filename));
  } finally {
    offerHandover(undefined);
  }
}
