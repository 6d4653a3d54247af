/**
 * Adds lock entries for platform-specific optional packages that the lock file lacks (a
 * registry that serves only some platforms leaves them out, and `npm ci` then refuses the
 * lock). Run after `npm install`: npm run lock:complete
 */
const fs = require('fs');
const p = process.argv[2] || 'package-lock.json';
const lock = JSON.parse(fs.readFileSync(p, 'utf8'));
const pk = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pk)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies || {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (!pk[base] && !pk[top]) {
      const m = /-(darwin|linux|win32|freebsd|android|openbsd|sunos|aix|netbsd)-([a-z0-9]+)/.exec(name);
      const entry = { version: String(version).replace(/^[\^~]/, ''), optional: true };
      if (m) {
        entry.os = [m[1]];
        entry.cpu = [m[2]];
      }
      pk[top] = entry;
      added++;
    }
  }
}
fs.writeFileSync(p, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
