/**
 * CDK entry point (`cdk.json` → `node --import tsx infra/app.ts`): bundles the functions, then builds the
 * stacks of the stage named by context `stage` (default `dev`) with the settings `cdk.json` gives it. The
 * stacks name their account and region, but make no lookups, so `cdk synth` runs offline without credentials.
 */
import { App } from 'aws-cdk-lib';
import { bundleFunctions } from './bundle.ts';
import { configFromContext, createAftercare } from './stacks/aftercare.ts';

const app = new App();
// Settings first: a bad stage fails in a second, before the bundling.
const config = configFromContext(app);
await bundleFunctions();
createAftercare(app, config);
app.synth();
