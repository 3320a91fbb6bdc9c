import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contactsForProfile, liveJobIds, removeContact, writeContact } from '../../src/state/index.js';
import { forgetEndedContacts } from '../../src/session/jobs.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('slurmhop-contact-');
const contact = (jobId: string) => ({ version: 1, jobId, profile: 'cpu', node: 'c1', port: 4000, user: 'ada', pid: 1, readyAt: '' });

function write(state: string, id: string): void {
  fs.mkdirSync(path.join(state, 'jobs', id), { recursive: true });
  writeContact(state, contact(id));
}

describe('the live index', () => {
  it('an entry whose contact this host cannot read is skipped, not removed (a network home may not show it yet)', () => {
    const state = tmp();
    write(state, '5');
    write(state, '6');
    fs.rmSync(path.join(state, 'jobs', '6', 'contact')); // as a cached miss would answer
    expect(contactsForProfile(state, 'cpu').map((c) => c.jobId)).toEqual(['5']);
    expect(liveJobIds(state, 'cpu').sort()).toEqual(['5', '6']);
  });

  it('the scheduler decides which entries go: those of jobs it no longer lists, readable or not', () => {
    const state = tmp();
    for (const id of ['5', '6', '7']) write(state, id);
    fs.writeFileSync(path.join(state, 'jobs', '6', 'contact'), '{torn');
    forgetEndedContacts(state, [{ id: '7' }]);
    expect(liveJobIds(state, 'cpu')).toEqual(['7']);
    expect(fs.existsSync(path.join(state, 'jobs', '6', 'contact'))).toBe(false);
  });

  it('removeContact with the profile removes an entry whose contact is unreadable', () => {
    const state = tmp();
    write(state, '8');
    fs.writeFileSync(path.join(state, 'jobs', '8', 'contact'), '');
    removeContact(state, '8', 'cpu');
    expect(liveJobIds(state, 'cpu')).toEqual([]);
  });
});
