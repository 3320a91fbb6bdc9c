// What a container session's environment is made of: the image's own (its
// PATH, CONDA_*, ...), then what the job knows (SLURM_*, CUDA_*, ...), but
// none of the node's paths, which mean nothing inside the image.
const NODE_LAYOUT = new Set([
  'PATH', 'LD_LIBRARY_PATH', 'LD_PRELOAD', 'LIBRARY_PATH', 'CPATH', 'C_INCLUDE_PATH', 'CPLUS_INCLUDE_PATH', 'PKG_CONFIG_PATH',
  'MANPATH', 'INFOPATH', 'PYTHONPATH', 'PYTHONHOME', 'MODULEPATH', 'MODULESHOME', 'LOADEDMODULES', '_LMFILES_', 'VIRTUAL_ENV', 'HOSTNAME',
]);
const NODE_LAYOUT_PREFIXES = ['LMOD', '__LMOD', 'CONDA_', 'MODULES_', 'EBROOT', 'EBVERSION', 'EBDEVEL', 'APPTAINER', 'SINGULARITY', 'ENROOT', 'CONTAINER'];
/** What `module load` sets (CUDA_HOME, JAVA_HOME, OPENMPI_ROOT, ...): places on the node. Slurm's own are kept. */
const NODE_LAYOUT_SUFFIX = /_(ROOT|HOME|DIR|PATH|PREFIX)$/;
/** Set by the runtime for its own process, not part of the image. */
const RUNTIME_NOISE = new Set(['HOME', 'HOSTNAME', 'PWD', 'SHLVL', '_', 'TERM', 'container']);

export function containerSessionEnv(jobEnv: NodeJS.ProcessEnv, imageEnv: Record<string, string>, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(jobEnv)) {
    if (NODE_LAYOUT.has(name) || NODE_LAYOUT_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (NODE_LAYOUT_SUFFIX.test(name) && !name.startsWith('SLURM_')) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(imageEnv)) if (!RUNTIME_NOISE.has(name)) env[name] = value;
  for (const [name, value] of Object.entries(extra)) env[name] = value;
  return env;
}
