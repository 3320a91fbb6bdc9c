// A real browser on the laptop side: Debian's Chromium, headless, driven over
// the Chrome DevTools protocol on a pipe (--remote-debugging-pipe: JSON
// messages ended by a NUL byte, commands on fd 3, answers on fd 4), so no
// driver package is needed. Everything the page requests is recorded, to show
// it reached nothing but the forwarded port. No network of its own: no
// component updates, sync, first-run or background requests, a fresh profile.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, with nothing of its own on the network. */
export const HEADLESS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-breakpad',
  '--disable-extensions',
  '--window-size=1280,900',
];

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

export class Browser {
  /** Every URL the page requested, in order. */
  readonly requests: string[] = [];
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private session = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    let buffer = Buffer.alloc(0);
    (child.stdio[4] as Readable).on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let end = buffer.indexOf(0); end >= 0; end = buffer.indexOf(0)) {
        const message = JSON.parse(buffer.subarray(0, end).toString('utf8')) as Message;
        buffer = buffer.subarray(end + 1);
        this.receive(message);
      }
    });
    child.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error('chromium exited'));
      this.waiting.clear();
    });
  }

  static async launch(): Promise<Browser> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurmhop-chromium-'));
    const child = spawn(CHROMIUM, [...HEADLESS, '--remote-debugging-pipe', `--user-data-dir=${path.join(dir, 'profile')}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), XDG_CACHE_HOME: path.join(dir, '.cache') },
    });
    child.stderr!.resume();
    const browser = new Browser(child, dir);
    const { targetId } = (await browser.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await browser.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    browser.session = sessionId;
    await browser.send('Network.enable', {}, sessionId);
    await browser.send('Page.enable', {}, sessionId);
    return browser;
  }

  private receive(m: Message): void {
    if (m.id !== undefined) {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error.message));
      else w?.resolve(m);
      return;
    }
    if (m.method === 'Network.requestWillBeSent') this.requests.push(String((m.params?.request as { url?: string } | undefined)?.url));
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId: string | undefined = this.session || undefined): Promise<Record<string, unknown>> {
    const id = this.next++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: (m) => resolve(m.result ?? {}), reject });
      (this.child.stdio[3] as Writable).write(`${message}\0`);
    });
  }

  async goto(url: string): Promise<void> {
    const r = await this.send('Page.navigate', { url });
    if (r.errorText) throw new Error(`chromium could not load ${url}: ${String(r.errorText)}`);
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result?: { value?: T }; exceptionDetails?: unknown };
    if (r.exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result?.value as T;
  }

  /** Waits until `expression` is true in the page. */
  async waitFor(expression: string, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.evaluate<boolean>(`Boolean(${expression})`).catch(() => false)) return;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} in ${await this.evaluate<string>('location.href').catch(() => '?')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async screenshot(file: string): Promise<void> {
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
  }

  async close(): Promise<void> {
    const gone = new Promise((r) => this.child.once('exit', r));
    await this.send('Browser.close', {}, undefined).catch(() => {});
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
    this.child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
