// The wizard's questions, typed into a stream as a terminal would send the
// keys (readline decodes them as it does from a real terminal; the real
// terminal: test/e2e/setup-terminal.test.ts).
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAsker } from '../../src/setup/ask.js';

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => (shown += String(d)));
  const asker = createAsker({ questions: true, tty: true, terminal: { input, output } });
  /** Types the keys once the question is on the screen. */
  const type = async (keys: string[]) => {
    for (const k of keys) {
      await new Promise((r) => setTimeout(r, 5));
      input.write(k);
    }
  };
  return { asker, type, shown: () => shown };
}

describe('questions in a terminal', () => {
  it('the default is typed in: Enter keeps it, Ctrl-U erases it and the answer is what was typed', async () => {
    const t = terminal();
    const kept = t.asker.text('Your user name', 'bob', '--user');
    await t.type(['\r']);
    expect(await kept).toBe('bob');
    const replaced = t.asker.text('Your user name', 'bob', '--user', (v) => (/^[a-z]+$/.test(v) ? true : `"${v}" is not a user name`));
    await t.type(['\x15', 'a', 'n', 'a', '\r']);
    expect(await replaced).toBe('ana');
    expect(t.shown()).not.toContain('is not a user name');
  });

  it('a refused answer says why, and the question comes back with it to edit', async () => {
    const t = terminal();
    const answer = t.asker.text('Its ssh port', '22', '--port', (v) => (/^\d+$/.test(v) ? true : `"${v}" is not a port number`));
    await t.type(['\x15', 'x', '\r']);
    await t.type(['\x7f', '2', '2', '2', '2', '\r']);
    expect(await answer).toBe('2222');
    expect(t.shown()).toContain('"x" is not a port number');
  });

  it('Ctrl-C and Ctrl-D stop the wizard: exit 10 (declined)', async () => {
    for (const key of ['\x03', '\x04']) {
      const t = terminal();
      const asked = t.asker.text('Login node', undefined, '--host');
      await t.type([key]);
      await expect(asked).rejects.toMatchObject({ kind: 'declined' });
    }
  });

  it('a secret is not shown as it is typed', async () => {
    const t = terminal();
    const secret = t.asker.secret('Password for bob:');
    await t.type(['s', '3', 'c', 'r', '3', 't', '\r']);
    expect(await secret).toBe('s3cr3t');
    expect(t.shown()).toContain('Password for bob:');
    expect(t.shown()).not.toContain('s3cr3t');
  });

  it('a choice is a numbered list; a number outside it is refused', async () => {
    const t = terminal();
    const chosen = t.asker.choose('Which key?', [{ label: 'id_bob', value: 'a' }, { label: 'a new key', value: 'b' }], '--identity FILE');
    await t.type(['\x15', '3', '\r']);
    await t.type(['\x15', '2', '\r']);
    expect(await chosen).toBe('b');
    expect(t.shown()).toMatch(/ 1\) id_bob\n +2\) a new key\n/);
    expect(t.shown()).toContain('type a number from 1 to 2');
  });

  it('a yes/no question takes its default on Enter', async () => {
    const t = terminal();
    const yes = t.asker.confirm('Cancel them', true);
    await t.type(['\r']);
    expect(await yes).toBe(true);
    const no = t.asker.confirm('Trust it', false);
    await t.type(['y', '\r']);
    expect(await no).toBe(true);
  });
});

describe('without a terminal', () => {
  it('a question takes its default, or names the flag to pass', async () => {
    const asker = createAsker({ questions: false, tty: false });
    expect(await asker.text('Its ssh port', '22', '--port')).toBe('22');
    await expect(asker.text('Login node', undefined, '--host')).rejects.toMatchObject({ kind: 'usage', hint: 'pass --host' });
    await expect(asker.choose('Which key?', [{ label: 'x', value: 1 }], '--identity FILE')).rejects.toMatchObject({ kind: 'usage', hint: 'pass --identity FILE' });
  });
});
