// esbuild step: src/cli/entry.ts -> one CommonJS file that a Node SEA can run.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

// Optional native parts that cannot be bundled. Each is required inside a
// try/catch by its user (ssh2: sshcrypto.node, cpu-features; debug:
// supports-color), which then falls back to pure JS. Left as a plain
// require(), a SEA would warn "can only require() built-in modules".
const STUBBED = /^(cpu-features|supports-color)$|\.node$/;

const stubNative = {
  name: 'stub-native',
  setup(b) {
    b.onResolve({ filter: STUBBED }, (args) => ({ path: args.path, namespace: 'stub-native' }));
    b.onLoad({ filter: /.*/, namespace: 'stub-native' }, (args) => ({
      loader: 'js',
      contents:
        `const e = new Error(${JSON.stringify(`Cannot find module '${args.path}' (not bundled)`)});\n` +
        `e.code = 'MODULE_NOT_FOUND';\nthrow e;\n`,
    }));
  },
};

// node:sea exists only with its prefix, so builtinModules does not list it.
const builtins = new Set([...builtinModules.flatMap((m) => [m, `node:${m}`]), 'node:sea']);

export const bundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // Not minified: stack traces from a cluster keep their function names and
  // line numbers stay meaningful, and --version never parses the lazy part's
  // function bodies anyway (measured: minifying saves ~1 ms per start).
  minify: false,
  legalComments: 'none',
  // src/templates/*.tmpl are imported as strings (declared in src/tmpl.d.ts).
  loader: { '.tmpl': 'text' },
  metafile: true,
  logLevel: 'silent',
  plugins: [stubNative],
};

export const RELEASE_KEY_FILE = 'keys/release-ed25519.pub';

// Constants the program is built with (src/version.ts, src/update/release-key.ts).
// A release build takes package.json's version and keys/release-ed25519.pub;
// a test build passes its own `releaseKey` (and `version`, to make test
// releases) and is marked as such, so no run-time input can swap the key.
export function buildConstants({ absWorkingDir, version, releaseKey }) {
  const pkg = JSON.parse(readFileSync(join(absWorkingDir, 'package.json'), 'utf8'));
  let key = releaseKey;
  if (key === undefined) {
    try {
      key = readFileSync(join(absWorkingDir, RELEASE_KEY_FILE), 'utf8');
    } catch (err) {
      throw new Error(`${RELEASE_KEY_FILE} is missing (the public key releases are verified with): ${err.message}`);
    }
  }
  if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/.test(key)) {
    throw new Error(`the release public key must be one PEM "PUBLIC KEY" block (${releaseKey === undefined ? RELEASE_KEY_FILE : 'releaseKey'})`);
  }
  return {
    __SLURMHOP_VERSION__: JSON.stringify(version ?? pkg.version),
    __SLURMHOP_RELEASE_KEY__: JSON.stringify(key),
    __SLURMHOP_BUILD_KIND__: JSON.stringify(releaseKey === undefined ? 'release' : 'test'),
  };
}

// Bundles `entry` (or esbuild `stdin`) to `outfile`. Throws on errors, on
// warnings, and if anything but a Node built-in is left to a run-time
// require(): a SEA cannot load it. `version` and `releaseKey` make a test build;
// `target` is the oldest Node that runs the result (the SEA's own by default).
export async function bundle({ entry, stdin, outfile, absWorkingDir = process.cwd(), version, releaseKey, target = bundleOptions.target }) {
  let result;
  const define = buildConstants({ absWorkingDir, version, releaseKey });
  try {
    const input = stdin ? { stdin } : { entryPoints: [entry] };
    result = await build({ ...bundleOptions, ...input, define, outfile, absWorkingDir, target });
  } catch (err) {
    throw new Error(`esbuild failed:\n${formatMessages(err.errors ?? [])}`, { cause: err });
  }
  const problems = [];
  if (result.warnings.length) problems.push(formatMessages(result.warnings));
  for (const [out, info] of Object.entries(result.metafile.outputs)) {
    for (const imp of info.imports) {
      if (imp.external && !builtins.has(imp.path)) {
        problems.push(`${out}: "${imp.path}" (${imp.kind}) is not bundled and is not a Node built-in`);
      }
    }
  }
  if (problems.length) throw new Error(`bundle is not self-contained:\n${problems.join('\n')}`);
  return result;
}

function formatMessages(messages) {
  return messages
    .map((m) => {
      const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : '';
      return `  ${where}${m.text}`;
    })
    .join('\n');
}
