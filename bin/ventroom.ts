import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from '../lib/config.ts';
import { VentroomStack, stackName } from '../lib/ventroom-stack.ts';

/** `cdk deploy -c stage=dev|prod`: one stack per stage, checked against the AWS Solutions rules. */
const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));
new VentroomStack(app, stackName(config), { config });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
