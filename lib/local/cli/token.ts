import { resolve } from 'node:path';
import { ROLES } from '../../shared/names';
import { isRole, issueDevToken } from '../dev-tokens';
import { fail, parseFlags } from './args';

const USAGE = `npm run token -- --role ${ROLES.join('|')} [--email E] [--data-dir DIR] [--expires-in 12h]`;

const flags = parseFlags(USAGE, {
  role: { type: 'string' },
  email: { type: 'string' },
  'data-dir': { type: 'string' },
  'expires-in': { type: 'string' },
});
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const role = flags.role;
if (!role || !isRole(role)) fail(`--role must be one of ${ROLES.join(', ')}\nUsage: ${USAGE}`, 2);
const email = flags.email ?? `${role}@kk.dk`;
if (!/^[^@\s]+@[^@\s]+$/.test(email)) fail(`--email must be an e-mail address, not ${email}`, 2);

issueDevToken(resolve(flags['data-dir'] ?? '.local'), {
  email,
  roles: [role as (typeof ROLES)[number]],
  ...(flags['expires-in'] ? { expiresIn: flags['expires-in'] } : {}),
})
  .then((token) => process.stdout.write(`${token}\n`))
  .catch((error: Error) => fail(`Could not issue a token: ${error.message}`));
