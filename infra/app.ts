/**
 * CDK entry point (`cdk.json` → `node --import tsx infra/app.ts`): bundles the functions, then builds the
 * stacks of the stage named by context `stage` (default `dev`). Env-agnostic: no account, region or lookups,
 * so `cdk synth` runs offline without credentials.
 */
import { App } from 'aws-cdk-lib';
import { bundleFunctions } from './bundle.ts';
import { configFromContext, createAftercare } from './stacks/aftercare.ts';

await bundleFunctions();
const app = new App();
createAftercare(app, configFromContext(app));
app.synth();
