import { App, Tags } from 'aws-cdk-lib';
import { ConfigError, configFromContext, type DeploymentConfig } from './config';
import { FUNCTIONS, PROJECT_ROOT } from './functions';
import { addNagChecks } from './nag';
import { FundingTrackerStack } from './stack';

const app = new App();

let config: DeploymentConfig;
try {
  config = configFromContext(app);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new FundingTrackerStack(app, `FundingTracker-${config.stage}`, {
  description: `Funding tracker (${config.stage}): Copenhagen Municipality's register of external grants`,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  config,
  // The full catalogue: a missing handler fails the synth rather than silently leaving a function out.
  functions: FUNCTIONS,
  projectRoot: PROJECT_ROOT,
});
Tags.of(app).add('project', 'funding-tracker');
Tags.of(app).add('stage', config.stage);
addNagChecks(app);
