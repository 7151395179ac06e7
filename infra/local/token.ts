/**
 * `npm run token -- --role dispatcher --sub d-1 [--role technician] [--name "Li Wei"] [--email x@y]`
 * prints a token signed with the local key (created by `npm start` under .data/keys).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Role, roles } from '../../shared/auth/actor.ts';
import { localAuth } from './auth.ts';
import { repoRoot } from './system.ts';

const usage = `usage: npm run -s token -- --role ROLE [--role ROLE…] [--sub ID] [--name NAME] [--email ADDRESS] [--ttl SECONDS]

Prints a bearer token for the local system, signed with the key \`npm start\` created under .data/keys.
  --role      a role (repeat for several): ${roles.join(', ')}; default customer
  --sub       the caller's id (default <first role>-1); customers own the cases registered with it
  --name, --email   optional claims
  --ttl       lifetime in seconds (default 43200, 12 hours)
  --data-dir  the data folder \`npm start\` uses (default .data)

example: TOKEN=$(npm run -s token -- --role dispatcher --sub d-1)`;

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    role: { type: 'string', multiple: true, default: ['customer'] },
    sub: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    'data-dir': { type: 'string', default: process.env.AFTERCARE_DATA_DIR ?? join(repoRoot, '.data') },
    ttl: { type: 'string', default: String(12 * 3600) },
  },
});

if (values.help) {
  console.log(usage);
  process.exit(0);
}

const wanted = values.role ?? [];
const bad = wanted.filter((r) => !(roles as readonly string[]).includes(r));
if (bad.length) {
  console.error(`unknown role(s) ${bad.join(', ')}; roles are: ${roles.join(', ')}`);
  process.exit(2);
}
const auth = await localAuth(join(values['data-dir'], 'keys', 'jwt.json'));
const token = await auth.sign(
  {
    sub: values.sub ?? `${wanted[0]}-1`,
    roles: wanted as Role[],
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
  },
  Number(values.ttl),
);
console.log(token);
