// The wizard, step by step: answers, local files checked, connect, key,
// install, profiles, host key pinning, ssh config, VS Code, check. Local files
// are planned before the cluster is touched, and written last.
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../config/index.js';
import { profileHost } from '../templates/ssh-config-block.js';
import { gatherAnswers, valid, type Answers } from './answers.js';
import { checkServerPath, type SetupArgs } from './args.js';
import { addAuthorizedKey, hasPublicKey, jobHostKey, lockTrouble, sinfo, writeConfigIni } from './cluster-files.js';
import { installedSums, installedVersion, installRemote } from './cluster-install.js';
import { choosePlace, type InstallPlace } from './install-place.js';
import { binaryFor, probeCluster } from './cluster-probe.js';
import { parseSinfo, planConfigIni, proposeProfiles } from './cluster-profiles.js';
import { fetchResources, resourceLines } from './profile-resources.js';
import type { Connected } from './connect.js';
import type { RemoteSession } from './remote-session.js';
import type { SetupDeps } from './deps.js';
import { setupError } from './errors.js';
import { parseKnownHosts, type KnownHostEntry } from './known-hosts.js';
import { defaultKey, knownHostsFiles, sshAbsolutePath, requireSshProgram, vscodeUserDirs } from './laptop-paths.js';
import { logIn } from './login.js';
import { existingKeyPair, newKeyPair, type KeyPair } from './laptop-key.js';
import { changed, describeChange, readText } from './local-files.js';
import { writePlanned } from './write-plan.js';
import { planKeyFiles, planKnownHosts, planLocal } from './local-plan.js';
import { runCheck } from './check.js';
import { configuredClusters, recordCluster } from './clusters.js';
import { runUninstall } from './uninstall.js';
import { unifiedDiff } from './diff.js';

export async function runWizard(args: SetupArgs, deps: SetupDeps): Promise<void> {
  const answers = await gatherAnswers({ ...args, sshConfig: args.sshConfig && resolvePath(args.sshConfig, deps.laptop.platform) }, deps.laptop, deps.ask);
  if (args.uninstall) return runUninstall(answers, args, deps);
  return configure(answers, args, deps);
}

async function configure(answers: Answers, args: SetupArgs, deps: SetupDeps): Promise<void> {
  const { laptop, report } = deps;
  const ssh = requireSshProgram(laptop);

  report({ type: 'step', title: 'Checking your files' });
  const planned = (identity: string | undefined) => (identity ? resolvePath(identity, laptop.platform) : defaultKey(laptop, answers.cluster));
  // Parse what will be edited before anything else: a broken file stops here.
  planLocal({ answers, laptop, key: { file: planned(answers.identity), publicKey: '' }, profiles: ['cpu'], sshProgram: ssh, connectTimeout: 0, vscode: args.vscode });
  const knownHosts = readKnownHosts(knownHostsFiles(laptop));
  report({ type: 'done', message: `${answers.sshConfig}${args.vscode ? ' and VS Code\'s settings' : ''} can be edited` });

  report({ type: 'step', title: `Connecting to ${answers.user}@${answers.host}:${answers.port}` });
  const password = args.passwordStdin ? firstLine(await deps.readStdin()) : undefined;
  const login = await logIn(deps, answers, { identity: answers.identity && planned(answers.identity), password, acceptNewHostKey: args.acceptNewHostKey, knownHosts });
  const { connected } = login;
  const chosen = { ...answers, user: login.user, identity: login.identity ?? answers.identity };
  try {
    report({ type: 'done', message: `logged in as ${login.user} (${connected.method})` });
    await setUp(chosen, args, deps, connected, planned(chosen.identity), ssh);
  } finally {
    connected.session.end();
  }
}

async function setUp(answers: Answers, args: SetupArgs, deps: SetupDeps, connected: Connected, keyFile: string, ssh: string): Promise<void> {
  const { laptop, report, session } = { ...deps, session: connected.session };
  const dry = args.dryRun;
  const facts = await probeCluster(session, args.installDir);
  const arch = binaryFor(facts);
  const place = await confirmPlace(choosePlace(facts.places, args.installDir, facts.home), args, deps);

  const key: KeyPair = fs.existsSync(keyFile) || answers.identity ? await existingKeyPair(keyFile, deps.ask) : newKeyPair(keyFile, answers.cluster);
  const keyChanges = planKeyFiles(key);
  const authorized = hasPublicKey(facts.authorizedKeys, key.publicKey);

  const config = planConfigIni(facts.configIni, facts.configIniPath, proposeProfiles(parseSinfo(await sinfo(session))));
  const profiles = config.profiles;
  if (profiles.length === 0) throw setupError('cluster-step', `${facts.configIniPath} defines no profile`, 'add a [profile.cpu] section there');
  const parsed = parseConfig(config.text ?? '', facts.configIniPath);
  const connectTimeout = Math.max(...[...parsed.values()].map((p) => p.pendingTimeout + p.startTimeout + 60));
  const nodeSshdProfiles = [...parsed].filter(([, p]) => p.transport === 'node-sshd').map(([name]) => name);
  const sshAbsolute = nodeSshdProfiles.length ? await requireKnownHostsCommand(deps, nodeSshdProfiles) : undefined;
  const vscodeServerPath = args.vscode ? await chooseVscodeServerPath(args, deps, session) : undefined;
  const vscodeHere = args.vscode && vscodeUserDirs(laptop).some((d) => fs.existsSync(d));
  const noLocksInHome = vscodeHere ? await lockTrouble(session, vscodeServerPath) : undefined;
  const remote = place.why ? place.front : undefined;
  const planLocalFiles = () => planLocal({ answers, laptop, key, profiles, nodeSshdProfiles, sshProgram: ssh, ...(sshAbsolute ? { sshAbsolutePath: sshAbsolute } : {}), connectTimeout, vscode: args.vscode, vscodeServerPath, noLocksInHome, remote });
  const local = planLocalFiles();
  local.warnings.forEach((message) => report({ type: 'warn', message }));

  if (dry) {
    const binary = await deps.remoteBinary.expected(arch);
    const front = await deps.remoteBinary.front();
    const have = await installedSums(session, place);
    const knownHosts = planKnownHosts(laptop, answers, facts.hostKeyPub ?? '<job host key, created on the cluster by "remote hostkey">', connected.newHostKey);
    const lines = [
      key.create ? `would create the key ${key.file} (0600) and ${key.file}.pub` : `key: ${key.file} (exists)`,
      authorized ? 'its public key is already in ~/.ssh/authorized_keys on the cluster' : 'would add its public key to ~/.ssh/authorized_keys on the cluster',
      have.executable === binary.sha256 && have.front === front.sha256 ? `${place.front} is up to date` : `would install ${binary.name} as ${place.executable} and its front as ${place.front}${place.why ? ` (${place.why})` : ''}`,
      config.added.length ? `would add [profile.${config.added.join('], [profile.')}] to ${facts.configIniPath}:\n${unifiedDiff(config.before ?? '', config.text ?? '', config.before === undefined ? '/dev/null' : facts.configIniPath, facts.configIniPath)}` : `${facts.configIniPath}: profiles ${profiles.join(', ')} (unchanged)`,
    ];
    deps.out(`${lines.join('\n')}\n`);
    for (const c of [knownHosts, ...local.changes]) deps.out(changed(c) ? describeChange(c) : `${c.file}: unchanged\n`);
    deps.out('dry run: nothing was written\n');
    return;
  }

  const now = deps.now();
  report({ type: 'step', title: 'Key' });
  if (key.create) writePlanned(() => keyChanges, now, report);
  else report({ type: 'skip', message: key.file });
  if (!authorized) {
    await addAuthorizedKey(session, key.publicKey);
    report({ type: 'done', message: 'public key added to ~/.ssh/authorized_keys on the cluster' });
  } else report({ type: 'skip', message: 'public key already in ~/.ssh/authorized_keys on the cluster' });

  report({ type: 'step', title: 'Installing remote on the cluster' });
  const binary = await deps.remoteBinary.get(arch, (message, ongoing) => report(ongoing ? { type: 'progress', key: 'make', message } : { type: 'info', message }));
  const installed = await installRemote(session, place, { executable: binary, front: await deps.remoteBinary.front() }, (message) => report({ type: 'progress', key: 'upload', message }));
  const version = await installedVersion(session, place);
  report({ type: installed === 'installed' ? 'done' : 'skip', message: `${place.front} (${version}, ${path.basename(binary.file)})` });
  report({ type: 'step', title: 'Profiles' });
  if (config.added.length) {
    await writeConfigIni(session, facts.configIniPath, config.text!, now);
    report({ type: 'done', message: `${facts.configIniPath}: added [profile.${config.added.join('], [profile.')}]` });
  } else report({ type: 'skip', message: `${facts.configIniPath} (profiles ${profiles.join(', ')})` });
  const free = await fetchResources(session, place.front);
  if (free) resourceLines(free, profiles).forEach((line, i) => report({ type: 'info', message: `${i === 0 ? 'free now: ' : '          '}${line}` }));

  report({ type: 'step', title: 'Pinning the job host key; ssh config; VS Code' });
  const jobKey = await jobHostKey(session, place.front);
  // Read again at the write: a change made meanwhile (an editor, another setup) is planned in, not lost.
  writePlanned(() => [planKnownHosts(laptop, answers, jobKey, connected.newHostKey), ...planLocalFiles().changes], now, report);
  // Recorded with the block, not after the final check: a cluster whose check fails is still set up.
  recordCluster(laptop, answers.cluster, answers.sshConfig);

  const target = profiles.includes('cpu') ? 'cpu' : profiles[0]!;
  const host = profileHost(answers.prefix, target);
  if (args.check) {
    report({ type: 'step', title: `Checking: ssh ${host} hostname (may wait for a Slurm job)` });
    await runCheck(deps, ssh, answers, host);
  }
  deps.out(summary(answers, profiles, configuredClusters(laptop).length > 1, place));
}

/**
 * Where VS Code's server goes on the cluster: --vscode-server-path, or asked
 * where VS Code is installed here (empty: the home directory, VS Code's
 * default). It must be a directory the user can write on the login node.
 */
async function chooseVscodeServerPath(args: SetupArgs, deps: SetupDeps, session: RemoteSession): Promise<string | undefined> {
  let dir = args.vscodeServerPath;
  if (dir === undefined && deps.ask.interactive && vscodeUserDirs(deps.laptop).some((d) => fs.existsSync(d))) {
    const answer = await deps.ask.text('Where VS Code\'s server goes on the cluster (empty: your home; a scratch or project directory if your home is small)', '', '--vscode-server-path', (v) => (v === '' ? true : valid(checkServerPath)(v)));
    dir = answer === '' ? undefined : checkServerPath(answer);
  }
  if (dir === undefined) return undefined;
  const r = await session.sh('test -d "$1" && test -w "$1"', [dir]);
  if (r.code !== 0) throw setupError('usage', `--vscode-server-path: ${dir} is not a directory you can write on the login node`, `create it there (mkdir -p ${dir}) or choose another; nothing was written`);
  return dir;
}

/**
 * transport = node-sshd profiles get a KnownHostsCommand, which an ssh that
 * does not know it (OpenSSH before 8.5) refuses along with the whole file, and
 * which must name ssh by its absolute path. Asked of ssh itself (`ssh -G` with
 * that option alone), not read from its version. Returns the path.
 */
async function requireKnownHostsCommand(deps: SetupDeps, profiles: string[]): Promise<string> {
  const ssh = sshAbsolutePath(deps.laptop);
  if (!ssh) throw setupError('local-file', `no ssh found on PATH (${deps.laptop.env.PATH ?? ''}) for the KnownHostsCommand of ${profiles.join(', ')}`, 'install the OpenSSH client');
  const probe = await deps.runSsh(ssh, ['-F', 'none', '-o', 'KnownHostsCommand=/bin/true %H', '-G', 'slurmhop.invalid']);
  if (probe.exitCode === 0) return ssh;
  const version = await deps.runSsh(ssh, ['-V']);
  const said = (text: string) => JSON.stringify(text.trim().split('\n')[0] || 'nothing');
  throw setupError(
    'local-file',
    `profile${profiles.length > 1 ? 's' : ''} ${profiles.join(', ')} use${profiles.length > 1 ? '' : 's'} transport = node-sshd, whose node host keys the laptop's ssh must fetch with KnownHostsCommand (OpenSSH 8.5 or newer); ${ssh} (${said(version.stderr || version.stdout).slice(1, -1)}) does not know it: ${said(probe.stderr || probe.stdout)}`,
    'update the OpenSSH client on this computer, or use transport = tcp or srun for those profiles; nothing was written',
  );
}

/**
 * A place other than ~/.local is said, with why; in a terminal, asked first
 * (declined: nothing is installed). A place that looks local to the login
 * node is warned about: the job runs the executable there.
 */
async function confirmPlace(place: InstallPlace, args: SetupArgs, deps: SetupDeps): Promise<InstallPlace> {
  if (!place.why) return place;
  if (args.installDir === undefined) {
    const ok = await deps.ask.confirm(`Install remote under ${place.root}? (${place.why}; the compute nodes run it from there too, so it must be on a file system they share)`, true, '--install-dir');
    if (!ok) throw setupError('declined', `remote was not installed under ${place.root}`, 'name another directory with --install-dir DIR; nothing was installed');
  }
  deps.report({ type: 'info', message: `remote goes under ${place.root}: ${place.why}` });
  if (place.warning) deps.report({ type: 'warn', message: place.warning });
  return place;
}

function summary(a: Answers, profiles: string[], several: boolean, place: InstallPlace): string {
  const f = a.customConfig ? ` -F ${a.sshConfig}` : '';
  const named = several ? ` --cluster ${a.cluster}` : '';
  const lines: Array<[string, string]> = [
    ...profiles.map((p): [string, string] => [`ssh${f} ${profileHost(a.prefix, p)}`, '']),
    [`ssh${f} ${a.prefix}`, '(your current session: follows "slurmhop swap" and "slurmhop alloc")'],
    [`slurmhop list${named}`, '(your jobs; "slurmhop cancel" ends them)'],
    [`slurmhop code ${profiles[0]}${named}`, '(VS Code on a job, made ready first)'],
  ];
  const width = Math.max(...lines.map(([c]) => c.length));
  const where = place.why ? [`remote is installed under ${place.root} on the cluster (${place.why}); the compute nodes must see that directory at the same path.`] : [];
  return ['', ...where, 'Done. Try:', ...lines.map(([c, why]) => `  ${c.padEnd(width)}  ${why}`.trimEnd()), `VS Code: Remote-SSH: Connect to Host... > ${profileHost(a.prefix, profiles[0]!)}`, ''].join('\n');
}

function readKnownHosts(files: string[]): KnownHostEntry[] {
  return files.flatMap((file) => {
    try {
      const text = readText(file);
      return text === undefined ? [] : parseKnownHosts(text, file);
    } catch {
      return []; // an unreadable known_hosts is skipped, as OpenSSH does
    }
  });
}

const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';

function resolvePath(file: string, platform: string): string {
  return platform === 'win32' ? path.win32.resolve(file) : path.posix.resolve(file);
}
