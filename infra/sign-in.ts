import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { RoleGroups } from '../lib/domain/directory-roles';
import { ENV } from '../lib/shared/names';
import { AppFunction } from './function';
import { acknowledgeOn } from './nag';

export interface DirectoryRolesProps {
  readonly userPool: cognito.UserPool;
  /** Which directory groups give which role (context `identityProvider.roleGroups`). */
  readonly roleGroups: RoleGroups;
  /** Absolute path of the directory holding package-lock.json. */
  readonly projectRoot: string;
}

/**
 * Roles from the municipality's directory: the identity provider's groups claim is mapped to a user
 * attribute on every federated sign-in, and Cognito's pre token generation trigger (V2) adds the roles
 * those groups give to `cognito:groups` each time it issues tokens. Group membership in the user pool
 * still counts, so a role given by hand is never taken away by the directory.
 */
export class DirectoryRoles extends Construct {
  readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: DirectoryRolesProps) {
    super(scope, id);
    this.fn = new AppFunction(this, 'Trigger', {
      serviceName: 'directory-roles',
      entry: join(props.projectRoot, 'functions', 'directory-roles', 'handler.ts'),
      description: "Adds the roles a person's directory groups give to the tokens Cognito issues",
      memorySize: 256,
      // Cognito waits at most 5 s for a trigger.
      timeout: Duration.seconds(5),
      projectRoot: props.projectRoot,
    });
    this.fn.setEnv(ENV.directoryRoleGroups, JSON.stringify(props.roleGroups));
    props.userPool.addTrigger(
      cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.fn,
      cognito.LambdaVersion.V2_0,
    );
    acknowledgeOn(this.fn, {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by Cognito while it issues tokens: a failure fails that sign-in, which the person sees and retries; there is no event to park in a queue.',
    });
  }
}
