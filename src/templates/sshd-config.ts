import { renderTemplate, sshdConfigQuote } from './render.js';
import template from './sshd_config.tmpl';

export interface SshdConfigInput {
  jobId: string;
  profile: string;
  user: string;
  port: number;
  listenAddress: string;
  hostKey: string;
  /** Passed to every session with SetEnv (values must be sshd-safe: see job/environment.ts). */
  env: Record<string, string>;
  /**
   * OpenSSH 9.8+ penalises source addresses with failed logins; every session
   * comes from the login node, so one user's failures would lock the owner out.
   * Older sshd rejects the option, so it is only written when supported.
   */
  disablePenalties: boolean;
}

export function renderSshdConfig(input: SshdConfigInput): string {
  const pairs = Object.entries(input.env).map(([k, v]) => sshdConfigQuote(`${k}=${v}`));
  return renderTemplate(template, {
    job_id: input.jobId,
    profile: input.profile,
    user: input.user,
    port: String(input.port),
    listen_address: input.listenAddress,
    host_key: sshdConfigQuote(input.hostKey),
    // AllowUsers reads "name@domain" as user@host; an sshd running as the user cannot log anyone else in anyway.
    allow_users: input.user.includes('@') ? `# AllowUsers omitted: "${input.user}" contains @` : `AllowUsers ${input.user}`,
    penalties: input.disablePenalties ? 'PerSourcePenalties no' : '# PerSourcePenalties: not supported by this sshd',
    set_env: pairs.length ? `SetEnv ${pairs.join(' ')}` : '# (no environment to pass)',
  });
}
