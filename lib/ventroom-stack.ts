import { Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Construct } from 'constructs';
import type { TableSchema } from '../lambdas/core/table-schema.ts';
import { AccessLogs } from './access-logs.ts';
import { Auth } from './auth.ts';
import type { VentroomConfig } from './config.ts';
import { Data } from './data.ts';
import { Edge } from './edge.ts';
import { Functions } from './functions.ts';
import { VentroomHttpApi } from './http-api.ts';
import { assertValidManifest } from './manifest-checks.ts';
import { defaultManifest, functionSpecs, type Manifest } from './manifest.ts';
import { Media } from './media.ts';
import { Monitoring } from './monitoring.ts';
import { Notifications } from './notifications.ts';
import { addOutputs } from './outputs.ts';
import { Queues } from './queues.ts';
import { Realtime } from './realtime.ts';
import { stageSettings } from './stage-settings.ts';

export interface VentroomStackProps extends Omit<StackProps, 'env'> {
  config: VentroomConfig;
  /** The routes, queues and consumers to build; the repository's manifest unless a test injects one. */
  manifest?: Manifest;
  /** The table's physical shape; the repository's TABLE_SCHEMA unless a test injects one. */
  tableSchema?: TableSchema;
}

export function stackName(config: VentroomConfig): string {
  return stageSettings(config.stage).namePrefix;
}

/** The whole backend, driven by the manifest: nothing below names a route or a consumer. */
export class VentroomStack extends Stack {
  constructor(scope: Construct, id: string, props: VentroomStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      env: { account: config.account, region: config.region },
      description: `Vent Room serverless backend (${config.stage})`,
      terminationProtection: config.stage === 'prod',
    });
    const manifest = props.manifest ?? defaultManifest;
    assertValidManifest(manifest);
    const settings = stageSettings(config.stage);
    const { namePrefix, removalPolicy, logRetention } = settings;

    const data = new Data(this, 'Data', {
      tableName: namePrefix,
      removalPolicy,
      deletionProtection: settings.tableDeletionProtection,
      schema: props.tableSchema,
    });
    const queues = new Queues(this, 'Queues', { specs: manifest.queues, namePrefix });
    const accessLogs = new AccessLogs(this, 'AccessLogs', { removalPolicy, autoDeleteObjects: settings.autoDeleteObjects });
    const media = new Media(this, 'Media', {
      removalPolicy,
      autoDeleteObjects: settings.autoDeleteObjects,
      corsOrigins: config.corsOrigins,
      accessLogs: accessLogs.bucket,
      domain: config.mediaDomain && {
        domainName: config.mediaDomain.domainName,
        certificate: Certificate.fromCertificateArn(this, 'MediaCertificate', config.mediaDomain.certificateArn),
      },
    });
    const notifications = new Notifications(this, 'Notifications', { namePrefix });
    const auth = new Auth(this, 'Auth', { config: config.auth, namePrefix, removalPolicy });
    // API Gateway refuses to deploy a WebSocket API without routes, so it exists once the manifest has some.
    const realtime =
      manifest.wsRoutes.length > 0
        ? new Realtime(this, 'Realtime', {
            apiName: `${namePrefix}-ws`,
            stageName: config.stage,
            throttle: settings.apiThrottle,
            accessLogs: config.webSocketAccessLogs,
            logRetention,
            removalPolicy,
          })
        : undefined;
    const httpApi = new VentroomHttpApi(this, 'HttpApi', {
      apiName: `${namePrefix}-http`,
      corsOrigins: config.corsOrigins,
      throttle: settings.apiThrottle,
      logRetention,
      removalPolicy,
    });

    const edge = config.edge.enabled
      ? new Edge(this, 'Edge', {
          httpApi: httpApi.api,
          webSocket: realtime && { api: realtime.api, stageName: realtime.stage.stageName },
          webAclArn: config.edge.webAclArn,
          domain: config.apiDomain && {
            domainName: config.apiDomain.domainName,
            certificate: Certificate.fromCertificateArn(this, 'ApiCertificate', config.apiDomain.certificateArn),
          },
          logBucket: accessLogs.bucket,
        })
      : undefined;

    const functions = new Functions(this, 'Functions', {
      specs: functionSpecs(manifest),
      namePrefix,
      targets: { data, queues, media, notifications, realtime },
      auth,
      rateLimits: config.rateLimits,
      counterBudget: config.counterBudget,
      logRetention,
      removalPolicy,
      edge: edge && { originSecret: edge.originSecret, publicBaseUrl: edge.httpUrl },
    });
    for (const route of manifest.httpRoutes) httpApi.addRoute(route, functions.get(route.id).fn);
    if (manifest.httpFallback) httpApi.addFallback(manifest.httpFallback.id, functions.get(manifest.httpFallback.id).fn);
    for (const route of manifest.wsRoutes) realtime?.addRoute(route, functions.get(route.id).fn);
    for (const consumer of manifest.consumers) queues.addConsumer(functions.get(consumer.id).fn, consumer);

    const monitoring = new Monitoring(this, 'Monitoring', { namePrefix, alarmEmail: config.alarmEmail });
    monitoring.httpApi(httpApi.api);
    for (const { spec, queue, deadLetter } of queues.all) {
      monitoring.deadLetterQueue(spec.name, deadLetter);
      monitoring.queueAge(spec.name, queue, deadLetter, spec.alarmAgeSeconds);
    }
    for (const created of functions.all) monitoring.function(created.node.id, created.fn);
    monitoring.finishDashboard();

    addOutputs(this, { httpApi, realtime, edge, auth, media, data, notifications });
  }
}
