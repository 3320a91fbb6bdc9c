// Questions to the user, one line each, with the terminal's own line editing
// (readline: Ctrl-U, Ctrl-W, arrows; a default is typed in, ready to edit).
// Under --yes, or without a terminal, a question takes its default; one without
// a safe default is an error that names the flag to pass instead. Ctrl-C or
// Ctrl-D at a question stops the wizard (exit 10).
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { setupError } from './errors.js';

export interface Choice<T> {
  label: string;
  value: T;
}

export interface Asker {
  /** False under --yes or without a terminal: questions take their defaults. */
  readonly interactive: boolean;
  /** A terminal is there for secrets (a password, a one-time code), even under --yes. */
  readonly tty: boolean;
  text(message: string, initial: string | undefined, flag: string, validate?: (v: string) => string | true): Promise<string>;
  confirm(message: string, initial: boolean, flag?: string): Promise<boolean>;
  /** One of a numbered list; without a terminal, an error that says what to pass (`flag`). */
  choose<T>(message: string, choices: Array<Choice<T>>, flag: string): Promise<T>;
  /** A secret (password, passphrase, one-time code): never has a default. */
  secret(message: string, echo?: boolean): Promise<string>;
}

export interface Terminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { columns?: number };
}

const interrupted = () => setupError('declined', 'interrupted: nothing more was done');

/** One line from the terminal; `initial` is typed in for the user to keep or edit; a secret is not echoed. */
export function readLine(term: Terminal, prompt: string, options: { initial?: string | undefined; secret?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let muted = false;
    const output = new Writable({
      write(chunk, encoding, done) {
        if (!muted) term.output.write(chunk, encoding);
        done();
      },
    }) as Writable & { columns?: number };
    output.columns = term.output.columns;
    const rl = readline.createInterface({ input: term.input, output, terminal: true, historySize: 0 });
    let settled = false;
    const finish = (err: Error | undefined, line?: string) => {
      if (settled) return;
      settled = true;
      rl.close();
      if (muted || err) term.output.write('\n');
      if (err) reject(err);
      else resolve(line!);
    };
    rl.on('SIGINT', () => finish(interrupted()));
    rl.on('close', () => finish(interrupted()));
    rl.question(prompt, (line) => finish(undefined, line));
    if (options.secret) muted = true;
    else if (options.initial) rl.write(options.initial);
  });
}

/** `questions`: ask the wizard's questions; `tty`: a terminal is there for secrets (asked even under --yes). */
export function createAsker({ questions: interactive, tty, terminal = { input: process.stdin, output: process.stderr } }: { questions: boolean; tty: boolean; terminal?: Terminal }): Asker {
  const say = (text: string) => terminal.output.write(text);
  const ask = async (message: string, initial: string | undefined, validate?: (v: string) => string | true): Promise<string> => {
    let typed = initial;
    for (;;) {
      const answer = (await readLine(terminal, `? ${message}: `, { initial: typed })).trim();
      const verdict = validate ? validate(answer) : true;
      if (verdict === true) return answer;
      say(`  ${verdict}\n`);
      typed = answer;
    }
  };
  return {
    interactive,
    tty,
    async text(message, initial, flag, validate) {
      if (!interactive) {
        if (initial === undefined) throw setupError('usage', `${message}: no answer without a terminal`, `pass ${flag}`);
        return initial;
      }
      return ask(message, initial, validate);
    },
    async confirm(message, initial, flag) {
      if (!interactive) {
        if (flag !== undefined && !initial) throw setupError('declined', `${message} (not confirmed)`, `pass ${flag} to confirm`);
        return initial;
      }
      const answer = await ask(`${message}? (${initial ? 'Y/n' : 'y/N'})`, undefined, (v) => (/^(y|yes|n|no|)$/i.test(v) ? true : 'answer y or n'));
      return answer === '' ? initial : /^y/i.test(answer);
    },
    async choose(message, choices, flag) {
      if (!interactive) throw setupError('usage', `${message}: no answer without a terminal`, `pass ${flag}`);
      say(`? ${message}\n${choices.map((c, i) => `  ${String(i + 1).padStart(2)}) ${c.label}\n`).join('')}`);
      const n = await ask(`Your choice (1-${choices.length})`, '1', (v) => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= choices.length ? true : `type a number from 1 to ${choices.length}`));
      return choices[Number(n) - 1]!.value;
    },
    async secret(message, echo = false) {
      if (!tty) throw setupError('connect', `the login node asks "${message.trim()}" and there is no terminal to answer it`, 'run the wizard in a terminal, or pass --password-stdin for a password');
      return readLine(terminal, `${message.trim()} `, { secret: !echo });
    },
  };
}
