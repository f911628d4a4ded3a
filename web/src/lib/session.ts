/**
 * Who is signed in, read from the ID token's claims (for showing, never for deciding: the API checks
 * the token itself). Pure, so it can be tested without a browser.
 */

export const ROLES = ['lear-admin', 'project-lead', 'finance'] as const;
export type Role = (typeof ROLES)[number];

export interface Session {
  /** The bearer token sent to the API. */
  readonly token: string;
  readonly email: string;
  readonly name: string | undefined;
  readonly roles: readonly Role[];
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

const base64UrlDecode = (part: string): string => {
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

export const claimsOf = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(base64UrlDecode(payload)) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A session from a token, or undefined when the token is unreadable, names nobody or has expired. */
export const sessionFromToken = (token: string, now: number = Date.now()): Session | undefined => {
  const claims = claimsOf(token);
  if (!claims) return undefined;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
  if (!email || expiresAt <= now) return undefined;
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].map(String) : [];
  return {
    token,
    email: email.toLowerCase(),
    name: typeof claims.name === 'string' ? claims.name : undefined,
    roles: ROLES.filter((role) => groups.includes(role)),
    expiresAt,
  };
};

export const hasRole = (session: Session | undefined, ...roles: readonly Role[]): boolean =>
  !!session && session.roles.some((role) => roles.includes(role));
