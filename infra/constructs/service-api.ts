import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CatalogRoute, FunctionId } from '../../functions/catalog.ts';
import { CORS, corsAllowMethods } from '../../shared/http/headers.ts';
import type { AftercareFunction } from './aftercare-function.ts';

/** Properties of {@link ServiceApi}. */
export interface ServiceApiProps {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  /** Origins allowed by CORS (the stage's settings: explicit, never `*`). */
  readonly corsOrigins: string[];
  /** The methods the routes use; CORS allows these and no others. */
  readonly corsMethods: readonly CatalogRoute['method'][];
  /** Stage throttling (requests per second, burst). */
  readonly throttle: Throttle;
  /** Throttling of each public route, on top of the stage's. */
  readonly publicRouteThrottle: Throttle;
  /** A custom domain the stage is mapped to, with its ACM certificate (same region). */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
}

type Throttle = { readonly rateLimit: number; readonly burstLimit: number };

/** Construct id of a route: its route key with only letters, digits and dashes. */
const routeId = (key: string) =>
  `Route-${key
    .replace(/[{}]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/-$/, '')}`;

/**
 * The HTTP API: a JWT authorizer on the user pool guarding every route that is not public, CORS, a
 * throttled and access-logged stage, an alarm on server errors. Routes come from the catalogue
 * ({@link addRoutes}), one Lambda integration per function.
 */
export class ServiceApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly serverErrorsAlarm: cloudwatch.Alarm;
  /** The custom domain, when the stage has one. */
  readonly domainName?: apigwv2.DomainName;
  /** Where the public pages are served: the custom domain if any, else the stage's execute-api URL. */
  readonly publicBaseUrl: string;
  private readonly publicRouteThrottle: Throttle;

  constructor(scope: Construct, id: string, props: ServiceApiProps) {
    super(scope, id);
    this.publicRouteThrottle = props.publicRouteThrottle;
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', props.userPool.userPoolProviderUrl, {
      jwtAudience: [props.userPoolClient.userPoolClientId],
    });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Aftercare after-sales service API',
      createDefaultStage: false,
      // Every route is authorized unless the catalogue marks it public.
      defaultAuthorizer: authorizer,
      // The same configuration the local gateway applies (shared/http/headers.ts).
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: corsAllowMethods(props.corsMethods.map((method) => ({ method }))).map(
          (m) => apigwv2.CorsHttpMethod[m],
        ),
        allowHeaders: [...CORS.allowHeaders],
        exposeHeaders: [...CORS.exposeHeaders],
        maxAge: Duration.seconds(CORS.maxAgeSeconds),
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.domain) {
      this.domainName = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.domain.name,
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
      });
    }
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      ...(this.domainName ? { domainMapping: { domainName: this.domainName } } : {}),
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
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

    // Links in customers' mailboxes outlive the API when they name the custom domain.
    this.publicBaseUrl = props.domain ? `https://${props.domain.name}` : this.stage.url;

    this.serverErrorsAlarm = this.api
      .metricServerError({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'ServerErrorsAlarm', {
        alarmDescription: 'Aftercare API answered 5xx',
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
  }

  /** One route per catalogue route, each integrated with its function (one integration per function). */
  addRoutes(
    routes: readonly CatalogRoute[],
    functions: Partial<Record<FunctionId, AftercareFunction>>,
  ): void {
    const integrations = new Map<FunctionId, HttpLambdaIntegration>();
    for (const r of routes) {
      const fn = functions[r.fn];
      if (!fn) throw new Error(`route ${r.key} names ${r.fn}, which is not deployed`);
      let integration = integrations.get(r.fn);
      if (!integration) {
        // One invoke permission per function, for any route of this API (not one per route): a stack
        // holds at most 500 resources, and a function only ever serves the routes the catalogue gives it.
        integration = new HttpLambdaIntegration(`Integration-${r.fn}`, fn.function, {
          scopePermissionToRoute: false,
        });
        integrations.set(r.fn, integration);
      }
      const route = new apigwv2.HttpRoute(this, routeId(r.key), {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(r.path, apigwv2.HttpMethod[r.method]),
        integration,
        ...(r.roles === 'public' ? { authorizer: new apigwv2.HttpNoneAuthorizer() } : {}),
      });
      if (r.roles === 'public') {
        this.throttleRoute(r.key, route);
        Validations.of(route.node.defaultChild as apigwv2.CfnRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${r.key} is public by design in functions/${r.domain}/catalog.ts (roles: 'public')`,
        });
      }
    }
  }

  /** Route settings of the stage: the public route's own throttle (the route must exist first). */
  private throttleRoute(key: string, route: apigwv2.HttpRoute): void {
    const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
    // A JSON property: CloudFormation's own casing, keyed by route key.
    const settings = (stage.routeSettings ?? {}) as Record<string, unknown>;
    stage.routeSettings = {
      ...settings,
      [key]: {
        ThrottlingRateLimit: this.publicRouteThrottle.rateLimit,
        ThrottlingBurstLimit: this.publicRouteThrottle.burstLimit,
      },
    };
    stage.node.addDependency(route);
  }
}
