// Questions to the user (the prompts package). Under --yes, or without a
// terminal, a question takes its default; one without a safe default is an
// error that names the flag to pass instead.
import prompts from 'prompts';
import { setupError } from './errors.js';

export interface Asker {
  /** False under --yes or without a terminal: questions take their defaults. */
  readonly interactive: boolean;
  text(message: string, initial: string | undefined, flag: string, validate?: (v: string) => string | true): Promise<string>;
  confirm(message: string, initial: boolean, flag?: string): Promise<boolean>;
  /** A secret (password, passphrase, one-time code): never has a default. */
  secret(message: string, echo?: boolean): Promise<string>;
}

/** `questions`: ask the wizard's questions; `tty`: a terminal is there for secrets (asked even under --yes). */
export function createAsker({ questions: interactive, tty }: { questions: boolean; tty: boolean }): Asker {
  const cancelled = () => {
    throw setupError('declined', 'interrupted: nothing more was done');
  };
  const ask = async <T>(question: Omit<prompts.PromptObject, 'name'>): Promise<T> => {
    const answer = await prompts({ ...question, name: 'v' } as prompts.PromptObject, { onCancel: cancelled });
    return answer.v as T;
  };
  return {
    interactive,
    async text(message, initial, flag, validate) {
      if (!interactive) {
        if (initial === undefined) throw setupError('usage', `${message}: no answer without a terminal`, `pass ${flag}`);
        return initial;
      }
      return ask<string>({ type: 'text', message, initial, validate: validate ? (v: string) => validate(v) : undefined });
    },
    async confirm(message, initial, flag) {
      if (!interactive) {
        if (flag !== undefined && !initial) throw setupError('declined', `${message} (not confirmed)`, `pass ${flag} to confirm`);
        return initial;
      }
      return ask<boolean>({ type: 'confirm', message, initial });
    },
    async secret(message, echo = false) {
      if (!tty) throw setupError('connect', `the login node asks "${message.trim()}" and there is no terminal to answer it`, 'run the wizard in a terminal, or pass --password-stdin for a password');
      return ask<string>({ type: echo ? 'text' : 'password', message });
    },
  };
}
