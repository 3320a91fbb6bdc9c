// Which of the job's environment variables a session started by sshd gets.
// sshd starts sessions with a clean environment, so SLURM_*, CUDA_* and what
// env_setup left behind (PATH, LD_LIBRARY_PATH, ...) are passed with SetEnv.

// Login-session variables a new session sets for itself; NODE_OPTIONS is for the
// user's own Node, never ours; KRB5CCNAME names a ticket cache on the login node.
const NOT_PASSED = new Set([
  'HOME', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'SHLVL', '_', 'TERM', 'MAIL',
  'DISPLAY', 'XAUTHORITY', 'TMUX', 'TMUX_PANE', 'STY', 'WINDOW', 'PS1', 'PS2', 'PROMPT_COMMAND',
  'XDG_RUNTIME_DIR', 'XDG_SESSION_ID', 'XDG_SESSION_TYPE', 'XDG_SESSION_CLASS', 'DBUS_SESSION_BUS_ADDRESS',
  'KRB5CCNAME', 'HISTFILE', 'NODE_OPTIONS', 'LS_COLORS', 'TERMCAP', 'COLUMNS', 'LINES',
]);
const NOT_PASSED_PREFIXES = ['SSH_', 'BASH_FUNC_'];

/**
 * OpenSSH before 8.7 (RHEL 8 has 8.0) cuts sshd_config lines at the first `#`
 * even inside quotes and knows no backslash escapes in SetEnv: a value with
 * `#`, `"` or `\` would silently drop every variable after it, so such values
 * are not passed (and are named in the job's output).
 */
const UNSAFE_VALUE = /[\x00-\x1f\x7f"\\#]/;

export interface SessionEnvironment {
  passed: Record<string, string>;
  skipped: string[];
}

export function sessionEnvironment(env: NodeJS.ProcessEnv): SessionEnvironment {
  const passed: Record<string, string> = {};
  const skipped: string[] = [];
  // A plain code-point sort: the generated sshd_config must not depend on the locale.
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value === undefined || NOT_PASSED.has(name)) continue;
    if (NOT_PASSED_PREFIXES.some((p) => name.startsWith(p))) continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || UNSAFE_VALUE.test(value)) {
      skipped.push(name);
      continue;
    }
    passed[name] = value;
  }
  return { passed, skipped };
}

export function isSafeSshdValue(value: string): boolean {
  return !UNSAFE_VALUE.test(value);
}
