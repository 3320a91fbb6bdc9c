// Placeholder until the command table lands.
export function main(args: string[]): void {
  process.stderr.write(`slurmhop: not implemented yet: ${args.join(' ')}\n`);
  process.exitCode = 70;
}
