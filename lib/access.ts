import { queueUrlVariable } from '../lambdas/manifest.ts';
import type { Data } from './data.ts';
import type { ManifestFunction } from './lambda-function.ts';
import type { FunctionSpec } from './manifest.ts';
import type { Media } from './media.ts';
import { acknowledge, wildcardResourceFinding } from './nag.ts';
import type { Notifications } from './notifications.ts';
import type { Queues } from './queues.ts';
import type { Realtime } from './realtime.ts';

/** The resources a manifest entry's `access` can name. */
export interface AccessTargets {
  data: Data;
  queues: Queues;
  media: Media;
  notifications: Notifications;
  realtime?: Realtime;
}

/**
 * Grants a function exactly what its manifest entry declares, and sets the variables through which
 * its code finds those resources. Nothing here knows a route or a consumer by name.
 */
export function applyAccess(target: ManifestFunction, spec: FunctionSpec, targets: AccessTargets): void {
  const { access } = spec;
  const { fn } = target;
  const { data, queues, media, notifications, realtime } = targets;

  if (access.table === 'read') data.grantRead(fn);
  if (access.table === 'readWrite') data.grantReadWrite(fn);
  if (access.table === 'connections') data.grantConnectionWrites(fn);
  if (spec.rateLimited && access.table !== 'readWrite') data.grantRateLimitWrites(fn);
  if (data.hasIndexes && access.table) {
    acknowledge(
      target,
      wildcardResourceFinding(target, data.indexesArn),
      'Reads may query any of this table\'s global secondary indexes, which IAM addresses as <table ARN>/index/<name>; the wildcard stays inside this one table.',
    );
  }

  for (const name of new Set(access.sendTo ?? [])) {
    queues.grantSend(fn, name);
    fn.addEnvironment(queueUrlVariable(name), queues.get(name).queue.queueUrl);
  }

  if (access.media) {
    if (access.media === 'read') media.grantRead(fn);
    else if (access.media === 'stage') media.grantStage(fn);
    else media.grantReadWrite(fn);
    fn.addEnvironment('MEDIA_BUCKET', media.bucket.bucketName);
    for (const arn of media.objectArns()) {
      acknowledge(
        target,
        wildcardResourceFinding(target, arn),
        'Media keys are generated per upload (a uuid under a dated prefix), so the grant covers the key prefix, and only the object actions the access level needs.',
      );
    }
  }

  if (access.retractsMedia) {
    if (access.media !== 'readWrite') throw new Error(`${spec.id} retracts media but may not delete it`);
    media.grantInvalidate(fn);
    fn.addEnvironment('MEDIA_DISTRIBUTION_ID', media.distribution.distributionId);
  }

  if (access.notificationsTopic) {
    notifications.grantPublish(fn);
    fn.addEnvironment('NOTIFICATIONS_TOPIC_ARN', notifications.topic.topicArn);
  }

  if (access.manageConnections) {
    if (!realtime) throw new Error(`${spec.id} manages WebSocket connections, but the stack has no WebSocket API`);
    realtime.grantManageConnections(fn);
    fn.addEnvironment('WS_MANAGEMENT_ENDPOINT', realtime.managementEndpoint);
    acknowledge(
      target,
      wildcardResourceFinding(target, realtime.connectionsArn),
      'Connection ids exist only at run time; the grant is limited to the @connections API of this one stage.',
    );
  }
}
