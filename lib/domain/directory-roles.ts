import * as z from 'zod';
import { ROLES, type Role } from '../shared/names';

/**
 * People who sign in through the municipality's identity provider get their roles from their
 * groups in its directory (Entra ID groups, say): which groups give which role is configuration
 * (CDK context `identityProvider.roleGroups`), applied each time Cognito issues their tokens.
 */

/** The user attribute the identity provider's groups claim is mapped to (infra/sign-in.ts). */
export const DIRECTORY_GROUPS_ATTRIBUTE = 'custom:directory_groups';

export type RoleGroups = Readonly<Partial<Record<Role, readonly string[]>>>;

export const RoleGroupsSchema = z
  .partialRecord(
    z.enum(ROLES),
    z.array(z.string().trim().min(1, 'a group must not be empty')).min(1, 'needs a group'),
  )
  .refine((value) => Object.keys(value).length > 0, 'names no role');

/** Reads the mapping from its JSON form; an invalid one is an error naming what is wrong. */
export const parseRoleGroups = (json: string | undefined): RoleGroups => {
  if (!json) throw new Error('No directory role groups are configured.');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('The directory role groups are not JSON.');
  }
  const parsed = RoleGroupsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `The directory role groups are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
};

/**
 * The groups as Cognito stores a mapped multi-valued claim: a JSON array from OIDC
 * (`["a","b"]`), `[a, b]` from SAML, or a single value.
 */
export const directoryGroups = (attribute: string | undefined): string[] => {
  const text = attribute?.trim() ?? '';
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed))
        return parsed
          .map(String)
          .map((g) => g.trim())
          .filter(Boolean);
    } catch {
      // SAML's form, [a, b], is not JSON.
    }
    return text
      .slice(1, text.endsWith(']') ? -1 : undefined)
      .split(',')
      .map((g) => g.trim().replace(/^"(.*)"$/, '$1'))
      .filter(Boolean);
  }
  return [text];
};

/** The roles a person's directory groups give, in the order of ROLES; group names compare exactly. */
export const rolesFromDirectoryGroups = (attribute: string | undefined, mapping: RoleGroups): Role[] => {
  const groups = new Set(directoryGroups(attribute));
  return ROLES.filter((role) => (mapping[role] ?? []).some((group) => groups.has(group)));
};

/** A person's groups in the token: those the user pool gives them, plus the roles their directory gives. */
export const tokenGroups = (
  poolGroups: readonly string[],
  attribute: string | undefined,
  mapping: RoleGroups,
): string[] => [...new Set([...poolGroups, ...rolesFromDirectoryGroups(attribute, mapping)])];
