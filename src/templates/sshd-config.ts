import { renderTemplate, sshdConfigQuote } from './render.js';
import template from './sshd_config.tmpl';

export interface SshdConfigInput {
  jobId: string;
  profile: string;
  user: string;
  port: number;
  listenAddress: string;
  hostKey: string;
  /** Passed to every session with SetEnv. */
  env: Record<string, string>;
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
    set_env: pairs.length ? `SetEnv ${pairs.join(' ')}` : '# (no environment to pass)',
  });
}
