import { parseRoleGroups } from '../../lib/domain/directory-roles';
import { ENV } from '../../lib/shared/names';
import { createHandler } from './app';

// Read once at cold start: a broken mapping fails every sign-in loudly rather than granting nothing quietly.
export const handler = createHandler(parseRoleGroups(process.env[ENV.directoryRoleGroups]));
