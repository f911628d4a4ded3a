import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { DIRECTORY_GROUPS_ATTRIBUTE, type RoleGroups, tokenGroups } from '../../lib/domain/directory-roles';

/**
 * Cognito's pre token generation trigger (V2): before it issues tokens to a person, the roles their
 * directory groups give are added to `cognito:groups`, which is all the API reads.
 */
export const createHandler =
  (mapping: RoleGroups) =>
  async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenGenerationV2TriggerEvent> => {
    const groups = tokenGroups(
      event.request.groupConfiguration.groupsToOverride ?? [],
      event.request.userAttributes[DIRECTORY_GROUPS_ATTRIBUTE],
      mapping,
    );
    event.response = {
      claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: groups } },
    };
    return event;
  };
