/**
 * `npm run token -- --staff <id>` prints a token for a person of the directory (their roles, name and
 * e-mail, from their staff record); `--customer <id>` one for a customer. Without the directory:
 * `npm run token -- --role dispatcher --sub d-1 [--role technician] [--name "Li Wei"] [--email x@y]`.
 * Tokens are signed with the local key (created by `npm start` under .data/keys).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Role, roles } from '../../shared/auth/actor.ts';
import { DynamoDirectoryStore } from '../../shared/directory/store.ts';
import { localAuth } from './auth.ts';
import { withLocalTable } from './local-table.ts';
import { repoRoot } from './system.ts';

const usage = `usage: npm run -s token -- --staff ID | --customer ID | --role ROLE [--role ROLE…] [--sub ID] [--name NAME] [--email ADDRESS] [--ttl SECONDS]

Prints a bearer token for the local system, signed with the key \`npm start\` created under .data/keys.
  --staff     a person of the directory: their roles, name and e-mail (load the demo with \`npm run seed\`)
  --customer  a customer of the directory
  --role      a role (repeat for several): ${roles.join(', ')}; default customer
  --sub       the caller's id (default <first role>-1); customers own the cases registered with it
  --name, --email   optional claims
  --ttl       lifetime in seconds (default 43200, 12 hours)
  --data-dir  the data folder \`npm start\` uses (default .data)

example: TOKEN=$(npm run -s token -- --staff d-1)`;

const { values } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    staff: { type: 'string' },
    customer: { type: 'string' },
    role: { type: 'string', multiple: true },
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

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

interface Claims {
  sub: string;
  roles: Role[];
  name?: string;
  email?: string;
}

/** The claims of a directory person, read from the local table. */
async function fromDirectory(kind: 'staff' | 'customer', id: string): Promise<Claims> {
  return withLocalTable(values['data-dir'], async (db, tableName) => {
    const store = new DynamoDirectoryStore(db, tableName);
    if (kind === 'customer') {
      const c = await store.getCustomer(id);
      if (!c) fail(`no customer ${id} in the directory (load the demo with \`npm run seed\`)`);
      return { sub: c.id, roles: ['customer'], name: c.name, ...(c.email ? { email: c.email } : {}) };
    }
    const s = await store.getStaff(id);
    if (!s) fail(`no staff member ${id} in the directory (load the demo with \`npm run seed\`)`);
    if (!s.active) fail(`${s.name} (${id}) is deactivated: no token`);
    return { sub: s.id, roles: s.roles, name: s.name, ...(s.email ? { email: s.email } : {}) };
  });
}

let claims: Claims;
if (values.staff) claims = await fromDirectory('staff', values.staff);
else if (values.customer) claims = await fromDirectory('customer', values.customer);
else {
  const wanted = values.role ?? ['customer'];
  const bad = wanted.filter((r) => !(roles as readonly string[]).includes(r));
  if (bad.length) fail(`unknown role(s) ${bad.join(', ')}; roles are: ${roles.join(', ')}`);
  claims = {
    sub: values.sub ?? `${wanted[0]}-1`,
    roles: wanted as Role[],
    ...(values.name ? { name: values.name } : {}),
    ...(values.email ? { email: values.email } : {}),
  };
}
const auth = await localAuth(join(values['data-dir'], 'keys', 'jwt.json'));
console.log(await auth.sign(claims, Number(values.ttl)));
