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

  if (access.table) data.grant(fn, access.table);
  if (spec.rateLimited) data.grantRateLimitWrites(fn);

  for (const name of new Set(access.sendTo ?? [])) {
    queues.grantSend(fn, name);
    fn.addEnvironment(queueUrlVariable(name), queues.get(name).queue.queueUrl);
  }

  if (access.media) {
    fn.addEnvironment('MEDIA_BUCKET', media.bucket.bucketName);
    for (const arn of media.grantUses(fn, access.media)) {
      acknowledge(
        target,
        wildcardResourceFinding(target, arn),
        'Media keys are generated per upload (a uuid under a dated prefix), so the grant covers the key prefix, and only the object actions the function\'s media uses need.',
      );
    }
  }

  if (access.retractsMedia) {
    if (!access.media?.includes('delete')) throw new Error(`${spec.id} retracts media but may not delete it`);
    media.grantInvalidate(fn);
    fn.addEnvironment('MEDIA_DISTRIBUTION_ID', media.distribution.distributionId);
  }

  if (access.notificationsTopic) {
    notifications.grantPublish(fn);
    fn.addEnvironment('NOTIFICATIONS_TOPIC_ARN', notifications.topic.topicArn);
  }

  if (access.manageConnections?.length) {
    if (!realtime) throw new Error(`${spec.id} manages WebSocket connections, but the stack has no WebSocket API`);
    for (const arn of realtime.grantManageConnections(fn, access.manageConnections)) {
      acknowledge(
        target,
        wildcardResourceFinding(target, arn),
        'Connection ids exist only at run time; the grant is limited to the @connections methods the function calls, on this one stage.',
      );
    }
    fn.addEnvironment('WS_MANAGEMENT_ENDPOINT', realtime.managementEndpoint);
  }
}
