import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, type GlobalSecondaryIndexProps } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_SCHEMA, type IndexSchema, type TableSchema } from '../lambdas/core/table-schema.ts';
import { connectionKeys, rateKeys } from '../lambdas/core/keys.ts';

export interface DataProps {
  tableName: string;
  removalPolicy: RemovalPolicy;
  deletionProtection: boolean;
  schema?: TableSchema;
}

function indexProps(index: IndexSchema): GlobalSecondaryIndexProps {
  const keys = {
    indexName: index.indexName,
    partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
    sortKey: { name: index.sortKey, type: AttributeType.STRING },
  };
  if (index.projection === 'ALL') return { ...keys, projectionType: ProjectionType.ALL };
  if (index.projection === 'KEYS_ONLY' || index.projection.length === 0) return { ...keys, projectionType: ProjectionType.KEYS_ONLY };
  return { ...keys, projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.projection };
}

/** The partition-key prefix of every rate-limit counter, taken from the one place keys are built. */
export const RATE_KEY_PREFIX = rateKeys.window('', 'standard', 0).pk;
/** The partitions WebSocket connections write: the connection's own, and its groups' memberships. */
export const CONNECTION_KEY_PREFIXES = [connectionKeys.partition(''), connectionKeys.groupPartition('')];

/**
 * The item actions the code calls, and no more: CDK's grantReadData/grantReadWriteData add Scan,
 * DescribeTable and the stream actions, which no code path uses (a leaked credential could dump the
 * table with Scan). Transactions are authorised by these same item actions.
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/** The single table, built from the same schema data the offline twin creates its table from. */
export class Data extends Construct {
  readonly table: Table;
  readonly hasIndexes: boolean;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const schema = props.schema ?? TABLE_SCHEMA;
    this.table = new Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: schema.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: schema.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of schema.globalIndexes) this.table.addGlobalSecondaryIndex(indexProps(index));
    this.hasIndexes = schema.globalIndexes.length > 0;
  }

  /** The resource a table grant adds for the indexes (as the table's own grant methods write it). */
  get indexesArn(): string {
    return `${this.table.tableArn}/index/*`;
  }

  grantRead(grantee: IGrantable): void {
    this.allow(grantee, TABLE_READ_ACTIONS, [this.table.tableArn, ...(this.hasIndexes ? [this.indexesArn] : [])]);
  }

  grantReadWrite(grantee: IGrantable): void {
    this.grantRead(grantee);
    this.allow(grantee, TABLE_WRITE_ACTIONS, [this.table.tableArn]);
  }

  /** Reads anywhere (a join checks its post), writes only in connection and group partitions. */
  grantConnectionWrites(grantee: IGrantable): void {
    this.grantRead(grantee);
    this.allow(grantee, TABLE_WRITE_ACTIONS, [this.table.tableArn], {
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': CONNECTION_KEY_PREFIXES.map((prefix) => `${prefix}*`) },
    });
  }

  private allow(grantee: IGrantable, actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources, ...(conditions ? { conditions } : {}) }));
  }

  /**
   * The one write a rate-limited request makes whatever its declared access: UpdateItem on its own
   * rate-window counters, and on no other partition.
   */
  grantRateLimitWrites(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${RATE_KEY_PREFIX}*`] } },
      }),
    );
  }
}
