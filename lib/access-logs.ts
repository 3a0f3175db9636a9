import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag.ts';

export interface AccessLogsProps {
  removalPolicy: RemovalPolicy;
  autoDeleteObjects: boolean;
}

/** How long request logs of the media bucket and the CDN are kept. */
const LOG_RETENTION = Duration.days(90);

/** The bucket the media bucket's server access logs and CloudFront's standard logs go to. */
export class AccessLogs extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging and S3 log delivery write through ACLs, which need object-writer ownership.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: LOG_RETENTION }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });
    acknowledge(this.bucket, 'AwsSolutions-S1', 'This is the access-log destination itself; logging its own accesses into itself would log every log delivery, without end.');
  }
}
