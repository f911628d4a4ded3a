import { ForbiddenError, UnauthorizedError } from '../domain/errors';
import { GROUPS_CLAIM, ROLES, type Role } from '../shared/names';
import type { Caller } from '../use-cases/ports';
import type { ApiEvent } from './http';
import type { RouteDef } from './routes';

/**
 * API Gateway's JWT authorizer has verified the token before the handler runs (locally, the
 * local server does the same). What is left here is to read the claims and apply the route's roles.
 * The authorizer passes array claims as a string such as "[lear-admin finance]"; both forms are read.
 */
const groupsOf = (claim: unknown): string[] => {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((g) => g.replace(/^"|"$/g, ''))
    .filter(Boolean);
};

export const callerOf = (event: ApiEvent): Caller => {
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (!claims) throw new UnauthorizedError('Send a bearer token: Authorization: Bearer <JWT>.');
  const roles = groupsOf(claims[GROUPS_CLAIM]).filter((g): g is Role =>
    (ROLES as readonly string[]).includes(g),
  );
  // People sign in with an e-mail; finance systems (client credentials) are named by their client id.
  const name = [claims.email, claims.client_id, claims.sub].find(
    (c): c is string => typeof c === 'string' && c !== '',
  );
  if (!name) throw new UnauthorizedError('The token names no caller (no email, client_id or sub claim).');
  const scopes = [
    ...(event.requestContext.authorizer?.jwt?.scopes ?? []),
    ...(typeof claims.scope === 'string' ? claims.scope.split(' ') : []),
  ].filter(Boolean);
  return { email: name.toLowerCase(), roles, scopes: [...new Set(scopes)] };
};

export const authorize = (route: RouteDef, event: ApiEvent): Caller | undefined => {
  if (route.auth.kind !== 'jwt') return undefined;
  const caller = callerOf(event);
  const allowed = route.auth.roles;
  const scopes = route.auth.scopes ?? [];
  const byRole = caller.roles.some((role) => allowed.includes(role as Role));
  const byScope = caller.scopes?.some((scope) => scopes.includes(scope)) ?? false;
  if (!byRole && !byScope) {
    throw new ForbiddenError(
      `${route.method} ${route.path} is for ${allowed.join(', ')}; the token carries ${caller.roles.length ? caller.roles.join(', ') : 'no role'}.`,
    );
  }
  return caller;
};
