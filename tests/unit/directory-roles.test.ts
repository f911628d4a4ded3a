import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/directory-roles/app';
import {
  DIRECTORY_GROUPS_ATTRIBUTE,
  directoryGroups,
  parseRoleGroups,
  rolesFromDirectoryGroups,
  tokenGroups,
} from '../../lib/domain/directory-roles';

const MAPPING = parseRoleGroups(
  JSON.stringify({
    'lear-admin': ['6f1c-lear'],
    'project-lead': ['8a2d-projektledere', '9b3e-projektledere-bif'],
    finance: ['1c4f-oekonomi'],
  }),
);

describe('directory groups as Cognito stores them', () => {
  it.each([
    ['["6f1c-lear","1c4f-oekonomi"]', ['6f1c-lear', '1c4f-oekonomi']],
    ['[6f1c-lear, 1c4f-oekonomi]', ['6f1c-lear', '1c4f-oekonomi']],
    ['6f1c-lear', ['6f1c-lear']],
    ['[]', []],
    ['', []],
    [undefined, []],
  ])('reads %j', (attribute, expected) => {
    expect(directoryGroups(attribute)).toEqual(expected);
  });
});

describe('roles from directory groups', () => {
  it('gives each role whose groups the person is in, in the order of the roles', () => {
    // arrange / act / assert
    expect(rolesFromDirectoryGroups('[1c4f-oekonomi, 9b3e-projektledere-bif]', MAPPING)).toEqual([
      'project-lead',
      'finance',
    ]);
  });

  it('gives nothing for groups it does not know, and compares names exactly', () => {
    expect(rolesFromDirectoryGroups('["6F1C-LEAR","alle-medarbejdere"]', MAPPING)).toEqual([]);
  });

  it('keeps the groups the user pool gives and adds no role twice', () => {
    expect(tokenGroups(['lear-admin'], '["6f1c-lear","8a2d-projektledere"]', MAPPING)).toEqual([
      'lear-admin',
      'project-lead',
    ]);
  });

  it('refuses a mapping that is not JSON, names an unknown role or an empty group', () => {
    expect(() => parseRoleGroups(undefined)).toThrow(/No directory role groups/);
    expect(() => parseRoleGroups('{')).toThrow(/not JSON/);
    expect(() => parseRoleGroups('{"admin":["x"]}')).toThrow(/invalid/);
    expect(() => parseRoleGroups('{"finance":[""]}')).toThrow(/finance\.0: a group must not be empty/);
    expect(() => parseRoleGroups('{}')).toThrow(/names no role/);
  });
});

describe('the pre token generation trigger', () => {
  const event = (groups: string[], attribute?: string) =>
    ({
      version: '2',
      triggerSource: 'TokenGeneration_HostedAuth',
      region: 'eu-central-1',
      userPoolId: 'eu-central-1_abc',
      userName: 'KK-EntraID_7f6e5d4c',
      callerContext: { awsSdkVersion: '3', clientId: 'people' },
      request: {
        userAttributes: {
          email: 'pl@kk.dk',
          ...(attribute === undefined ? {} : { [DIRECTORY_GROUPS_ATTRIBUTE]: attribute }),
        },
        groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: undefined },
        scopes: ['openid', 'email'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    }) as unknown as PreTokenGenerationV2TriggerEvent;

  it('puts the roles the directory gives into cognito:groups, next to the pool’s own', async () => {
    const result = await createHandler(MAPPING)(event(['finance'], '["8a2d-projektledere"]'));
    expect(result.response.claimsAndScopeOverrideDetails?.groupOverrideDetails?.groupsToOverride).toEqual([
      'finance',
      'project-lead',
    ]);
  });

  it('leaves a local account with its pool groups only', async () => {
    const result = await createHandler(MAPPING)(event(['lear-admin']));
    expect(result.response.claimsAndScopeOverrideDetails?.groupOverrideDetails?.groupsToOverride).toEqual([
      'lear-admin',
    ]);
  });
});
