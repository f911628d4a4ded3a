import { type Acknowledgment, CfnResource, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's AwsSolutions and Serverless packs as validation plugins: `cdk synth` fails on any finding
 * that is not acknowledged. Every acknowledgement sits on the construct it concerns, with its reason
 * (search the code for `acknowledge(`); none is stack- or app-wide.
 */
export const addNagChecks = (app: IConstruct): void => {
  // writeSuppressionsToCloudFormation copies each acknowledgement and its reason into the template's
  // Metadata (cdk_nag.rules_to_suppress), so a reviewer of the template sees them too.
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new ServerlessChecks(app),
  );
};

/**
 * Acknowledges findings on one CloudFormation resource: the construct itself if it is one, else its
 * default child (the CfnFunction of a Function, the CfnQueue of a Queue). Never a whole subtree.
 */
export const acknowledgeOn = (construct: IConstruct, ...rules: Acknowledgment[]): void => {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path} is not a CloudFormation resource; acknowledge findings on one.`);
  }
  Validations.of(resource).acknowledge(...rules);
};
