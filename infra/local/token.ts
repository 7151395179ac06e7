/**
 * `npm run token -- --role dispatcher --sub d-1 [--role technician] [--name "Li Wei"] [--email x@y]`
 * prints a token signed with the local key (created by `npm start` under .data/keys).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Role, roles } from '../../shared/auth/actor.ts';
import { localAuth } from './auth.ts';
import { repoRoot } from './system.ts';

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: ['customer'] },
    sub: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    'data-dir': { type: 'string', default: join(repoRoot, '.data') },
    ttl: { type: 'string', default: String(12 * 3600) },
  },
});

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
