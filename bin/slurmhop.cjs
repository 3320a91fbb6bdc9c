#!/usr/bin/env node
// `slurmhop` of the installed package: the bundled laptop command (npm run build).
require('../dist/laptop/slurmhop.cjs');
