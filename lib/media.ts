import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { AllowedMethods, CachePolicy, Distribution, HeadersFrameOption, HeadersReferrerPolicy, HttpVersion, ResponseHeadersPolicy, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MEDIA_PREFIX, UPLOAD_EXPIRY_DAYS, UPLOAD_PREFIX } from '../lambdas/core/media-layout.ts';
import type { MediaUse } from '../lambdas/manifest.ts';
import { domainSettings, type CustomDomain } from './custom-domain.ts';
import { acknowledge } from './nag.ts';

export interface MediaProps {
  removalPolicy: RemovalPolicy;
  autoDeleteObjects: boolean;
  /** Origins whose pages may PUT files to presigned upload URLs. */
  corsOrigins: string[];
  accessLogs: IBucket;
  /** Media on a domain of its own (TLS 1.2 at least); else the distribution's *.cloudfront.net name. */
  domain?: CustomDomain;
}

type ObjectPrefix = typeof MEDIA_PREFIX | typeof UPLOAD_PREFIX;

/**
 * The object actions each media use needs (core/media.ts), by key prefix. HeadObject is authorised
 * by s3:GetObject; a copy needs GetObject on its source and PutObject on its destination; a
 * presigned PUT is authorised as its signer's PutObject.
 */
const USE_ACTIONS: Record<MediaUse, [action: string, prefix: ObjectPrefix][]> = {
  stage: [['s3:PutObject', UPLOAD_PREFIX]],
  store: [['s3:PutObject', MEDIA_PREFIX]],
  // Head and ranged Get of the upload, the copy into the library, the upload's delete, and the
  // delete of a copy whose upload changed meanwhile.
  adopt: [
    ['s3:GetObject', UPLOAD_PREFIX],
    ['s3:PutObject', MEDIA_PREFIX],
    ['s3:DeleteObject', UPLOAD_PREFIX],
    ['s3:DeleteObject', MEDIA_PREFIX],
  ],
  delete: [['s3:DeleteObject', MEDIA_PREFIX]],
};

/** How long browsers may cache the answer to an upload's CORS preflight. */
const PREFLIGHT_MAX_AGE_SECONDS = 3000;

/**
 * The private media bucket and the CloudFront distribution that serves it. Objects are reachable
 * only through CloudFront (origin access control), and only under the media prefix: staged uploads
 * have not been checked yet and are never served.
 */
export class Media extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** The host clients use: the custom domain when there is one, else the distribution's own. */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: MediaProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'media-bucket/',
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: props.corsOrigins,
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: PREFLIGHT_MAX_AGE_SECONDS,
        },
      ],
      lifecycleRules: [
        {
          id: 'ExpireStagedUploads',
          prefix: UPLOAD_PREFIX,
          expiration: Duration.days(UPLOAD_EXPIRY_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(UPLOAD_EXPIRY_DAYS),
        },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });

    // Media is user content: a browser must never sniff it into HTML or script, frame it, or run it;
    // HSTS keeps devices on HTTPS. `sandbox` disables scripts even if a file is opened directly.
    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Vent Room media: nosniff, HSTS, no framing, no scripts',
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: false, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'none'; sandbox", override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Vent Room media',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // Media keys are immutable (a new file gets a new uuid), so the longest caching is safe;
        // what is deleted or replaced is invalidated by the function that retracts it (media-cdn.ts).
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
      ...domainSettings(props.domain),
    });
    this.domainName = props.domain?.domainName ?? this.distribution.distributionDomainName;

    // The OAC grant covers every object; this keeps CloudFront out of everything but published media.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        notResources: [this.bucket.arnForObjects(`${MEDIA_PREFIX}*`)],
      }),
    );

    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Vent Room is a worldwide community: media is served to every country the app is offered in, so there is no geography to restrict.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'The distribution serves only immutable, already validated media by unguessable uuid keys from a private bucket (GET/HEAD only); a WAF web ACL would add per-request cost without a rule to enforce.',
    );
    if (!props.domain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'Without the mediaDomainName/mediaCertificateArn contexts media is served on the default *.cloudfront.net domain, whose certificate CloudFront fixes at the TLSv1 security policy; with them the distribution requires TLSv1.2_2021.',
      );
    }
  }

  /** The origin media URLs start with, without a trailing slash. */
  get baseUrl(): string {
    return `https://${this.domainName}`;
  }

  /**
   * Exactly the object actions the uses need, one statement per action on the prefixes it needs.
   * Returns the object ARNs granted (key prefixes with a wildcard: keys are generated per upload).
   */
  grantUses(grantee: IGrantable, uses: MediaUse[]): string[] {
    const prefixesByAction = new Map<string, Set<ObjectPrefix>>();
    for (const [action, prefix] of uses.flatMap((use) => USE_ACTIONS[use])) {
      prefixesByAction.set(action, (prefixesByAction.get(action) ?? new Set()).add(prefix));
    }
    const granted = new Set<string>();
    for (const [action, prefixes] of prefixesByAction) {
      const resources = [...prefixes].sort().map((prefix) => this.bucket.arnForObjects(`${prefix}*`));
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources }));
      for (const resource of resources) granted.add(resource);
    }
    return [...granted];
  }

  /** CreateInvalidation on this distribution only (deleted media must leave the edge cache). */
  grantInvalidate(grantee: IGrantable): void {
    this.distribution.grantCreateInvalidation(grantee);
  }
}
