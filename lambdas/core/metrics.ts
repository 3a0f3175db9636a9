import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in the embedded metric format (Powertools Metrics): lines in the function's
 * log that CloudWatch turns into metrics, with no API call and no extra IAM. Namespace `VentRoom`.
 */
export const metrics = new Metrics({ namespace: 'VentRoom', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ventroom' });
