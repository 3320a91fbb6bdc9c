// The sbatch options slurmhop sets itself, in every spelling sbatch accepts:
// sbatch parses with getopt_long, so a long option may be any unique prefix
// (--job-nam=x, --out=x) and short options may carry their value (-Jx,
// -o/tmp/x) or come bundled (-vW). A renamed job is never found again (every
// connect would submit another), a moved output hides the job's messages, and
// --wait blocks the submission until the job ends; a job sent to another
// cluster (--clusters) is one this cluster's squeue never lists: it would be
// taken for ended, its files cleaned up under it.

const SET_BY_US = 'slurmhop sets it itself';

/** Long names, the short letters that mean the same, and why each is refused. */
const RESERVED: Array<{ long: string; short?: string; why: string }> = [
  { long: 'job-name', short: 'J', why: SET_BY_US },
  { long: 'output', short: 'o', why: SET_BY_US },
  { long: 'error', short: 'e', why: SET_BY_US },
  { long: 'chdir', short: 'D', why: SET_BY_US },
  { long: 'array', short: 'a', why: SET_BY_US },
  { long: 'parsable', why: SET_BY_US },
  { long: 'wrap', why: SET_BY_US },
  { long: 'wait', short: 'W', why: 'it would hold every connect until the job ends' },
  { long: 'test-only', why: 'it submits no job' },
  {
    long: 'clusters',
    short: 'M',
    why: 'slurmhop finds and ends its jobs on the cluster it runs on; for another cluster of a federation, set up a login alias of that cluster ("slurmhop setup")',
  },
];

/** Short options that take a value (sbatch's opt_string, Slurm 20.11 to 26.05): the rest of the word, or the next word. */
const TAKES_VALUE = new Set('aABcCdDeFGiJLmMnNopPqStUwx'.split(''));

export interface Reserved {
  /** The word as written. */
  word: string;
  /** What sbatch reads it as, when the word does not say it plainly: --job-name, "--wait or --wrap", -J (--job-name). */
  readAs: string | undefined;
  why: string;
}

export function reservedSbatchOption(words: string[]): Reserved | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--') return undefined;
    if (word.startsWith('--')) {
      const name = word.slice(2).split('=')[0]!;
      const meant = RESERVED.filter((r) => name !== '' && r.long.startsWith(name));
      if (meant.length) {
        const readAs = meant.length === 1 && meant[0]!.long === name ? undefined : meant.map((r) => `--${r.long}`).join(' or ');
        return { word, readAs, why: meant.map((r) => r.why).find((w) => w !== SET_BY_US) ?? SET_BY_US };
      }
    } else if (/^-[A-Za-z]/.test(word)) {
      for (let j = 1; j < word.length; j++) {
        const letter = word[j]!;
        const reserved = RESERVED.find((r) => r.short === letter);
        if (reserved) return { word, readAs: word === `-${letter}` ? `--${reserved.long}` : `-${letter} (--${reserved.long})`, why: reserved.why };
        if (TAKES_VALUE.has(letter)) {
          if (j === word.length - 1) i++; // its value is the next word
          break;
        }
      }
    }
  }
  return undefined;
}
