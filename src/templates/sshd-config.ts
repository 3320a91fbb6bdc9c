import net from 'node:net';
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
  /** What this sshd knows of the per-source controls (probed on the node or in the image). */
  features: SshdFeatures;
  /**
   * The IPv4 addresses the user's sessions arrive from (the login node that
   * submitted the job; the loopback for transport = srun): exempt from
   * penalties, since every user of a login node shares its address.
   */
  sessionSources: string[];
}

export interface SshdFeatures {
  /** PerSourceMaxStartups (OpenSSH 8.5+). */
  perSourceMaxStartups: boolean;
  /** PerSourcePenalties and PerSourcePenaltyExemptList (OpenSSH 9.8+). */
  penalties: boolean;
}

/** Unauthenticated connections one address may hold: the owner's bursts from the login node (100 connects at once) fit, with room to spare. */
export const PER_SOURCE_MAX_STARTUPS = 128;

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
    per_source_max_startups: input.features.perSourceMaxStartups ? `PerSourceMaxStartups ${PER_SOURCE_MAX_STARTUPS}` : '# PerSourceMaxStartups: not known to this sshd (OpenSSH before 8.5)',
    penalties: penaltyLines(input),
    set_env: pairs.length ? `SetEnv ${pairs.join(' ')}` : '# (no environment to pass)',
  });
}

/**
 * OpenSSH 9.8+ refuses, for a while, an address whose connections fail or
 * time out before logging in. On, but never against the addresses the user's
 * sessions come from: other users of that login node would get it refused.
 * Where those are unknown, off (as sshd before 9.8 behaves).
 */
function penaltyLines({ features, sessionSources }: SshdConfigInput): string {
  if (!features.penalties) return '# PerSourcePenalties: not known to this sshd (OpenSSH before 9.8)';
  const bad = sessionSources.find((a) => !net.isIPv4(a));
  if (bad !== undefined) throw new Error(`not an IPv4 address: ${JSON.stringify(bad)}`);
  if (!sessionSources.length) {
    return ['# Off: the address your sessions come from is unknown here (see the job output), and', '# connects of other users of that login node would get it refused.', 'PerSourcePenalties no'].join('\n');
  }
  return ['# Penalties on (the defaults), except for the addresses your sessions come from.', `PerSourcePenaltyExemptList ${sessionSources.join(',')}`].join('\n');
}
