// Which of the job's environment variables a session started by sshd gets.
// sshd starts sessions with a clean environment, so SLURM_*, CUDA_* and what
// env_setup left behind (PATH, LD_LIBRARY_PATH, ...) are passed with SetEnv.

const NOT_PASSED = new Set([
  'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', '_', 'TERM', 'MAIL',
  'DISPLAY', 'XAUTHORITY', 'TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'PS1', 'PS2', 'PROMPT_COMMAND',
  'XDG_RUNTIME_DIR', 'XDG_SESSION_ID', 'XDG_SESSION_TYPE', 'XDG_SESSION_CLASS', 'DBUS_SESSION_BUS_ADDRESS',
  'KRB5CCNAME', 'HISTFILE', 'NODE_OPTIONS', 'LS_COLORS', 'TERMCAP', 'COLUMNS', 'LINES',
]);
const NOT_PASSED_PREFIXES = ['SSH_', 'BASH_FUNC_', 'SLURMHOP_INTERNAL_'];

export function sessionEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined || NOT_PASSED.has(name)) continue;
    if (NOT_PASSED_PREFIXES.some((p) => name.startsWith(p))) continue;
    // sshd_config is line-based: a value with a newline or control character cannot be passed.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || /[\x00-\x1f\x7f]/.test(value)) continue;
    passed[name] = value;
  }
  return passed;
}
