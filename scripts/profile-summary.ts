/**
 * Where a CPU profile's time went, by package (or the project's own file) and by function:
 *
 *   npx tsx scripts/profile-summary.ts DIR/CPU.<...>.cpuprofile [--top 25] [--skip 6.5]
 *
 * `--skip S` leaves out the first S seconds of the profile (a server's start, before the load).
 * Self time only (the time a function spent in its own code), as shares of the sampled time
 * without idle; from the `.cpuprofile` files that `node --cpu-prof` writes.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, skip: { type: 'string', default: '0' } },
  allowPositionals: true,
});
if (!positionals[0]) throw new Error('usage: profile-summary <file.cpuprofile> [--top N]');
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

/** A package name for files under node_modules, the project-relative path for the project's own. */
function owner(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const own = /\/(src|workers|scripts)\/.*/.exec(url);
  if (own) return own[0].slice(1);
  if (url.startsWith('node:') || !url) return url || '(native)';
  return url;
}

const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
const skipUs = Number(values.skip) * 1e6;
let at = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName || '(anonymous)';
  const dt = profile.timeDeltas[i] ?? 0;
  at += dt;
  if (name === '(idle)' || name === '(program)' || at < skipUs) return;
  total += dt;
  const who = name === '(garbage collector)' ? '(garbage collector)' : owner(node.callFrame.url);
  byOwner.set(who, (byOwner.get(who) ?? 0) + dt);
  const fn = `${name} ${who}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
});

const top = Number(values.top);
const show = (title: string, table: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
};
console.log(`busy (not idle) ${(total / 1000).toFixed(0)} ms`);
show('self time by package or file', byOwner);
show('self time by function', byFunction);
