// Child process: postject's in-place injection of a SEA blob into a Node
// binary (run apart so both arches inject in parallel and so LIEF's log lines
// can be filtered by the parent). Usage: inject.cjs <binary> <blob>
const { readFileSync } = require('node:fs');
const { inject } = require('postject');

const [file, blob] = process.argv.slice(2);
inject(file, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
}).then(
  () => {},
  (err) => {
    process.stderr.write(`postject: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
