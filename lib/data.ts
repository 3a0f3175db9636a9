import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, type GlobalSecondaryIndexProps } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_SCHEMA, type IndexSchema, type TableSchema } from '../lambdas/core/table-schema.ts';
import { partitionFamilies, type Partition } from '../lambdas/core/keys.ts';
import type { TableAccess, TableGrant } from '../lambdas/manifest.ts';

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

/** A family of partitions as a `dynamodb:LeadingKeys` value: its one key, or its prefix and a wildcard. */
export function leadingKeysPattern(partition: Partition): string {
  const family: { key: string } | { prefix: string } = partitionFamilies[partition];
  return 'key' in family ? family.key : `${family.prefix}*`;
}

/** Each value the request names (every item's partition key) must be in one of the families. */
function confinedTo(partitions: Partition[]): Record<string, unknown> {
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': partitions.map(leadingKeysPattern) } };
}

/** The single table, built from the same schema data the offline twin creates its table from. */
export class Data extends Construct {
  readonly table: Table;
  private readonly indexNames: string[];

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
    this.indexNames = schema.globalIndexes.map((index) => index.indexName);
  }

  indexArn(indexName: string): string {
    return `${this.table.tableArn}/index/${indexName}`;
  }

  /**
   * Exactly the item actions a function's access names, each set confined to its partitions; CDK's
   * grantReadData/grantReadWriteData would add Scan, DescribeTable, ConditionCheckItem and the
   * stream actions, which no code path uses (a leaked credential could dump the table with Scan).
   * Index queries are granted per index, without a partition condition (an index's partition key is
   * not the table's).
   */
  grant(grantee: IGrantable, access: TableAccess): void {
    for (const grant of [access.read, access.write]) if (grant) this.allowConfined(grantee, grant);
    const unknown = (access.indexes ?? []).filter((name) => !this.indexNames.includes(name));
    if (unknown.length) throw new Error(`A grant names indexes the table does not have: ${unknown.join(', ')}`);
    if (access.indexes?.length) {
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: access.indexes.map((name) => this.indexArn(name)) }),
      );
    }
  }

  private allowConfined(grantee: IGrantable, grant: TableGrant<string>): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: grant.actions.map((action) => `dynamodb:${action}`),
        resources: [this.table.tableArn],
        conditions: confinedTo(grant.partitions),
      }),
    );
  }

  /**
   * The one write a rate-limited request makes whatever its declared access: UpdateItem on its own
   * rate-window counters, and on no other partition.
   */
  grantRateLimitWrites(grantee: IGrantable): void {
    this.allowConfined(grantee, { actions: ['UpdateItem'], partitions: ['rate'] });
  }
}
