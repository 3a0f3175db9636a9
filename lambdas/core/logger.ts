import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs (Powertools). Level from POWERTOOLS_LOG_LEVEL; service name from
 * POWERTOOLS_SERVICE_NAME, defaulting to the product's name.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ventroom' });
