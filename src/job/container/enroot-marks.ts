// What slurmhop records about the named enroot containers it makes, beside the
// image cache in the state directory: a creation it started (written before
// `enroot create`), the container complete, and which jobs use it. The
// container lives in enroot's data directory, not here: a state directory moved
// aside or deleted, or one from a version without these marks, leaves
// containers that nothing here records, and those are the user's (started
// --rw, they hold whatever was installed in them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ContainerMarks = ReturnType<typeof containerMarks>;

export function containerMarks(cacheDir: string, name: string) {
  const complete = path.join(cacheDir, `${name}.complete`);
  const creating = path.join(cacheDir, `${name}.creating`);
  const users = path.join(cacheDir, `${name}.users`);
  const write = (file: string, text: string) => {
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${text} ${new Date().toISOString()}\n`, { mode: 0o600 });
  };
  // Read from a listing of the directory, not a lookup of each name: on a network home a
  // node may keep a name's lookup (found or missing) for a while, a listing asks the server.
  const marked = (file: string) => {
    try {
      return fs.readdirSync(cacheDir).includes(path.basename(file));
    } catch {
      return false;
    }
  };
  return {
    complete: () => marked(complete),
    /** Written before `enroot create`: a container listed with this mark and no completion is ours, half made. */
    creating: () => marked(creating),
    startCreating: (jobId: string) => {
      // A completion left from a container removed by hand must not vouch for the one being made.
      fs.rmSync(complete, { force: true });
      write(creating, `job ${jobId} on ${os.hostname()}`);
    },
    markComplete: (how: 'created' | 'found') => {
      write(complete, how);
      fs.rmSync(creating, { force: true });
    },
    /** The creation is undone (the half-made container removed). */
    forgetCreating: () => fs.rmSync(creating, { force: true }),
    addUser: (jobId: string) => {
      fs.mkdirSync(users, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(users, jobId), '', { mode: 0o600 });
    },
    removeUser: (jobId: string) => fs.rmSync(path.join(users, jobId), { force: true }),
    /** The marks of jobs that ended without removing theirs (killed with the guard, where Slurm kills the whole job). */
    forgetEndedUsers: async (jobsAlive: (ids: string[]) => Promise<Set<string>>) => {
      const ids = fs.existsSync(users) ? fs.readdirSync(users).filter((n) => /^\d+$/.test(n)) : [];
      if (!ids.length) return;
      const alive = await jobsAlive(ids);
      for (const id of ids) if (!alive.has(id)) fs.rmSync(path.join(users, id), { force: true });
    },
    userFile: (jobId: string) => path.join(users, jobId),
    /** Whether a job that Slurm still runs uses it (a killed job leaves its mark behind). */
    inUse: async (jobsAlive: (ids: string[]) => Promise<Set<string>>) => {
      const ids = fs.existsSync(users) ? fs.readdirSync(users).filter((n) => /^\d+$/.test(n)) : [];
      return ids.length > 0 && (await jobsAlive(ids)).size > 0;
    },
  };
}
