// What the laptop asks of a web server at the local end of a forward, before
// it hands the URL on: that it answers there, and that it does not answer
// without its token.
import http from 'node:http';

/** The HTTP status of a GET, or undefined when nothing answered within `timeoutMs`. */
export function httpStatus(url: string, timeoutMs = 15_000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** The first status of up to `tries` GETs a second apart (a forward's first connection can race the server). */
export async function firstAnswer(url: string, tries = 5, pause = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<number | undefined> {
  for (let i = 0; i < tries; i++) {
    const status = await httpStatus(url);
    if (status !== undefined) return status;
    if (i + 1 < tries) await pause(1_000);
  }
  return undefined;
}
