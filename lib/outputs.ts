import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Auth } from './auth.ts';
import type { Data } from './data.ts';
import type { Edge } from './edge.ts';
import type { VentroomHttpApi } from './http-api.ts';
import type { Media } from './media.ts';
import type { Notifications } from './notifications.ts';
import type { Realtime } from './realtime.ts';

export interface OutputSources {
  httpApi: VentroomHttpApi;
  realtime?: Realtime;
  /** Behind the edge, clients use its URLs: the execute-api ones refuse requests that skip the web ACL. */
  edge?: Edge;
  auth: Auth;
  media: Media;
  data: Data;
  notifications: Notifications;
}

/** What a client, an operator or a script needs after `cdk deploy`. */
export function addOutputs(scope: Construct, sources: OutputSources): void {
  const { httpApi, realtime, edge, auth, media, data, notifications } = sources;
  new CfnOutput(scope, 'HttpApiUrl', { value: edge ? `${edge.httpUrl}/` : httpApi.url, description: 'HTTP API base URL (routes are /api/ventroom/...)' });
  if (realtime) {
    const url = edge ? edge.webSocketUrl(realtime.stage.stageName) : realtime.url;
    new CfnOutput(scope, 'WebSocketUrl', { value: url, description: 'WebSocket URL: connect with ?token=<JWT>' });
  }
  if (edge) new CfnOutput(scope, 'EdgeWebAclArn', { value: edge.webAclArn, description: 'WAF web ACL in front of both APIs (per-IP limits)' });
  if (auth.userPool && auth.client) {
    new CfnOutput(scope, 'UserPoolId', { value: auth.userPool.userPoolId, description: 'Cognito user pool id' });
    new CfnOutput(scope, 'UserPoolClientId', { value: auth.client.userPoolClientId, description: 'Cognito app client id (the JWT audience)' });
  }
  new CfnOutput(scope, 'JwtIssuer', { value: auth.verifier.issuer, description: 'Issuer the API accepts tokens from' });
  new CfnOutput(scope, 'MediaDomain', { value: media.domainName, description: 'CloudFront domain media URLs use' });
  new CfnOutput(scope, 'TableName', { value: data.table.tableName, description: 'DynamoDB table' });
  new CfnOutput(scope, 'NotificationsTopicArn', { value: notifications.topic.topicArn, description: 'SNS topic push notifications are published to' });
}
