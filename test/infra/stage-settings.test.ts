/**
 * Stage settings: one schema validates what `cdk.json` and the command line give a stage, at synth, and a
 * stage without the optional settings (custom domain, own mail identity) deploys the fallbacks.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, repoRoot } from '../../infra/bundle.ts';
import { configFromContext, createAftercare, SUPPORTED_REGIONS } from '../../infra/stacks/aftercare.ts';

const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown> & { stages: Record<string, Record<string, unknown>> };
};
const VALID = {
  account: '111111111111',
  region: 'eu-west-1',
  timeZone: 'Asia/Shanghai',
  mailDomain: 'aftercare.example',
  corsOrigins: ['https://staff.aftercare.example'],
  alertEmail: 'ops@aftercare.example',
};

const appWith = (settings: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  new App({
    context: { ...cdkJson.context, stage: 'test', stages: { test: settings }, ...extra },
    outdir: mkdtempSync(join(tmpdir(), 'aftercare-stage-')),
  });

describe('configFromContext', () => {
  it.each(Object.keys(cdkJson.context.stages))('accepts the %s stage of cdk.json', (stage) => {
    // Act
    const config = configFromContext(new App({ context: { ...cdkJson.context, stage } }));

    // Assess
    expect(config.stage).toBe(stage);
    expect(SUPPORTED_REGIONS).toContain(config.region);
  });

  it('refuses a region without SES email receiving, saying why and where instead', () => {
    // Act
    const config = () => configFromContext(appWith({ ...VALID, region: 'ap-east-1' }));

    // Assess
    expect(config).toThrow(
      /region: region ap-east-1 is not supported: the stage needs SES email receiving .* us-east-1, us-west-2, eu-west-1 only/,
    );
  });

  it.each([
    { what: 'a wildcard CORS origin', change: { corsOrigins: ['*'] }, field: 'corsOrigins.0' },
    {
      what: 'an origin with a path',
      change: { corsOrigins: ['https://a.example/app'] },
      field: 'corsOrigins.0',
    },
    { what: 'no CORS origin at all', change: { corsOrigins: [] }, field: 'corsOrigins' },
    { what: 'no mail domain', change: { mailDomain: undefined }, field: 'mailDomain' },
    { what: 'no alert address', change: { alertEmail: 'ops' }, field: 'alertEmail' },
    { what: 'an account that is not 12 digits', change: { account: '1234' }, field: 'account' },
    { what: 'an unknown timezone', change: { timeZone: 'Mars/Olympus' }, field: 'timeZone' },
    {
      what: 'an API domain without a certificate',
      change: { apiDomain: { name: 'api.aftercare.example' } },
      field: 'apiDomain.certificateArn',
    },
  ])('refuses $what, naming the setting', ({ change, field }) => {
    expect(() => configFromContext(appWith({ ...VALID, ...change }))).toThrow(
      new RegExp(`\\n  ${field.replace('.', '\\.')}: `),
    );
  });

  it('takes a single setting from the command line over the stage entry', () => {
    // Act
    const config = configFromContext(
      appWith(VALID, { region: 'us-west-2', corsOrigins: 'https://a.example,https://b.example' }),
    );

    // Assess
    expect(config).toMatchObject({
      region: 'us-west-2',
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });
});

describe('npm run synth', () => {
  it('fails for a stage in an unsupported region, before bundling, with the reason', () => {
    // Act: what `npm run synth -- -c region=ap-east-1` runs
    const run = spawnSync(
      'npx',
      [
        'cdk',
        'synth',
        '--quiet',
        '-o',
        mkdtempSync(join(tmpdir(), 'aftercare-badsynth-')),
        '-c',
        'region=ap-east-1',
      ],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('region ap-east-1 is not supported: the stage needs SES email receiving');
  }, 60_000);
});

describe('a stage without a custom domain, sending through an existing identity', () => {
  let service: Template;
  let mail: Template;

  beforeAll(async () => {
    await bundleFunctions();
    const app = appWith({ ...VALID, importMailIdentity: true });
    const stacks = createAftercare(app, configFromContext(app));
    service = Template.fromStack(stacks.service);
    mail = Template.fromStack(stacks.mail);
  }, 120_000);

  it('builds survey links from the execute-api URL', () => {
    // Act
    const urls = Object.values(service.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.PUBLIC_BASE_URL)
      .filter(Boolean);

    // Assess
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(JSON.stringify(url)).toContain('execute-api');
    expect(service.findResources('AWS::ApiGatewayV2::DomainName')).toEqual({});
  });

  it('creates no identity but still its named configuration set, which every send names', () => {
    expect(mail.findResources('AWS::SES::EmailIdentity')).toEqual({});
    mail.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: 'aftercare-test' });
  });
});
