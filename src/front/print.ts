// The build's entry (scripts/build.mjs): writes the front's text to stdout.
import { renderFront } from './render.js';

process.stdout.write(renderFront());
