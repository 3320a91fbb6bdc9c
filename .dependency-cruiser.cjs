// The one rule of dependency direction (docs/ARCHITECTURE.md), checked by
// `npm test` (scripts/test) and by test/architecture/dependencies.test.ts:
//
//   cli/ (remote)   laptop/ (slurmhop)      the two tops: nothing imports them
//   session/ (login)  job/ (node)  setup/ (laptop)  update/  doctor/  history/
//   state/  slurm/  config/  templates/     the lower parts
//   src/*.ts (errors, log, paths, fsutil, version, output, ...)   the bottom
//
// A part may import its own files, the parts below it, and the bottom. The
// three roles do not import each other, and the bottom imports no part.
const MIDDLE = '^src/(session|job|setup|update|doctor|history)/';
const LOWER = '^src/(state|slurm|config|templates)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'no import cycles, type-only imports included', from: {}, to: { circular: true } },
    { name: 'cli-is-the-top', severity: 'error', comment: 'only cli/ imports cli/', from: { pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'front-under-cli', severity: 'error', comment: "the front's text is cli/'s to refresh; setup installs the build's file", from: { pathNot: '^src/(cli|front)/' }, to: { path: '^src/front/' } },
    { name: 'laptop-is-the-top', severity: 'error', comment: 'only laptop/ imports laptop/', from: { pathNot: '^src/laptop/' }, to: { path: '^src/laptop/' } },
    {
      name: 'laptop-command-on-the-laptop-side',
      severity: 'error',
      comment: 'the laptop command reaches the cluster through ssh and remote, never through the login or node code',
      from: { path: '^src/laptop/' },
      to: { path: '^src/(session|job|update|doctor|history)/' },
    },
    { name: 'bottom-imports-no-part', severity: 'error', comment: 'src/*.ts sit below every part', from: { path: '^src/[^/]+\\.ts$' }, to: { path: '^src/[^/]+/' } },
    { name: 'lower-parts-import-no-middle', severity: 'error', from: { path: LOWER }, to: { path: MIDDLE } },
    {
      name: 'state-knows-no-reader',
      severity: 'error',
      comment: 'state/ is the on-disk contract: it knows neither side, nor Slurm, config or templates',
      from: { path: '^src/state/' },
      to: { path: '^src/(slurm|config|templates)/' },
    },
    { name: 'login-side-alone', severity: 'error', from: { path: '^src/session/' }, to: { path: '^src/(job|setup|update|doctor|history)/' } },
    { name: 'node-side-alone', severity: 'error', from: { path: '^src/job/' }, to: { path: '^src/(session|setup|update|doctor|history)/' } },
    { name: 'laptop-side-alone', severity: 'error', from: { path: '^src/setup/' }, to: { path: '^src/(session|job|update|doctor|history)/' } },
    { name: 'doctor-and-history-apart', severity: 'error', from: { path: '^src/(doctor|history)/' }, to: { path: '^src/(session|job|setup|doctor|history)/', pathNot: '^src/$1/' } },
    { name: 'updater-alone', severity: 'error', from: { path: '^src/update/' }, to: { path: '^src/(session|job|setup|doctor|history)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
    exclude: { path: '\\.tmpl$' },
  },
};
