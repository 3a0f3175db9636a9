import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { SecurityPolicyProtocol, type DistributionProps } from 'aws-cdk-lib/aws-cloudfront';

/** A distribution's own domain name with its ACM certificate (which CloudFront takes from us-east-1). */
export interface CustomDomain {
  domainName: string;
  certificate: ICertificate;
}

/**
 * A distribution's domain settings: the custom domain with TLS 1.2 as the floor. The default
 * *.cloudfront.net certificate is fixed at CloudFront's TLSv1 policy, so only a custom domain can
 * refuse older clients.
 */
export function domainSettings(domain: CustomDomain | undefined): Pick<DistributionProps, 'domainNames' | 'certificate' | 'minimumProtocolVersion'> {
  if (!domain) return {};
  return { domainNames: [domain.domainName], certificate: domain.certificate, minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 };
}
