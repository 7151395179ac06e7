import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type HttpFunctionId, httpFunctions, routeKey, routes, THROTTLE } from '../../functions/catalog.ts';
import { roles } from '../../shared/auth/actor.ts';
import { apiEnvSchema } from '../../shared/config/env.ts';
import { AftercareFunction } from '../constructs/aftercare-function.ts';
import { grantTableRead, grantTableReadWrite } from '../constructs/table-access.ts';

/** Properties of {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** Branch timezone for case numbers and day indexes (`TIME_ZONE`). */
  readonly timeZone: string;
  /** `POWERTOOLS_SERVICE_NAME` of the functions. */
  readonly serviceName: string;
  /** Origins allowed by CORS. */
  readonly corsOrigins: string[];
}

const role = (r: string) => r.replace(/_/g, ' ');

/** Construct id of a route: its route key with only letters, digits and dashes. */
const routeId = (key: string) =>
  `Route-${key
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-$/, '')}`;

/**
 * The HTTP API: Cognito users with one group per role, a JWT authorizer, one function per `httpFunctions`
 * entry with least-privilege grants, one route per `routes` entry, throttled and access-logged.
 */
export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly functions: Record<HttpFunctionId, AftercareFunction>;
  readonly serverErrorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.userPool = new cognito.UserPool(this, 'Users', {
      // Staff and customers are registered by the service company (agents, managers), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      // Identities of customers and staff are data: they survive a stack replacement.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool.node.defaultChild as cognito.CfnUserPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP): customers sign in from the portal without an authenticator app; threat protection is enforced',
    });
    for (const r of roles) {
      // The group name is the role name the handlers read from `cognito:groups` (shared/auth/actor.ts).
      this.userPool.addGroup(`Group-${r}`, { groupName: r, description: `Aftercare role: ${role(r)}` });
    }
    this.userPoolClient = this.userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    const authorizer = new HttpJwtAuthorizer('CognitoJwt', this.userPool.userPoolProviderUrl, {
      jwtAudience: [this.userPoolClient.userPoolClientId],
    });

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Aftercare after-sales service API',
      createDefaultStage: false,
      // Every route is authorized unless the catalogue marks it public.
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.PUT,
          apigwv2.CorsHttpMethod.DELETE,
        ],
        allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
        exposeHeaders: ['etag', 'location'],
        maxAge: Duration.days(1),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: THROTTLE.rateLimit, burstLimit: THROTTLE.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    const environment = {
      TABLE_NAME: props.table.tableName,
      TIME_ZONE: props.timeZone,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
    };
    const functions = {} as Record<HttpFunctionId, AftercareFunction>;
    const integrations = {} as Record<HttpFunctionId, HttpLambdaIntegration>;
    for (const functionId of Object.keys(httpFunctions) as HttpFunctionId[]) {
      const spec = httpFunctions[functionId];
      const fn = new AftercareFunction(this, `Fn-${functionId}`, {
        functionId,
        envSchema: apiEnvSchema,
        environment,
      });
      if (spec.writesTable) grantTableReadWrite(props.table, fn.function);
      else grantTableRead(props.table, fn.function);
      if (spec.publishesEvents) props.bus.grantPutEventsTo(fn.function);
      functions[functionId] = fn;
      integrations[functionId] = new HttpLambdaIntegration(`Integration-${functionId}`, fn.function);
    }
    this.functions = functions;

    for (const r of routes) {
      const key = routeKey(r);
      const route = new apigwv2.HttpRoute(this, routeId(key), {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(r.path, apigwv2.HttpMethod[r.method]),
        integration: integrations[r.fn],
        ...(r.roles === 'public' ? { authorizer: new apigwv2.HttpNoneAuthorizer() } : {}),
      });
      if (r.roles === 'public') {
        Validations.of(route.node.defaultChild as apigwv2.CfnRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${key} is public by design in functions/catalog.ts (roles: 'public')`,
        });
      }
    }

    this.serverErrorsAlarm = this.api
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ServerErrorsAlarm', {
        alarmDescription: 'Aftercare API answered 5xx',
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }
}
