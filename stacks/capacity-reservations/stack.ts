import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformOutput, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { Alerts } from '../platform/alerts';
import { RESERVER_CODE_ACTIONS } from './calls';
import { capacityAlarms } from './alarms';
import { capacityDashboard } from './dashboard';
import { interfaceEndpointsFor } from '../platform/endpoints';
import { Network } from '../platform/network';
import { FailureQueue } from '../platform/failure-queue';
import { NodeFunction } from '../platform/node-function';
import { OpsStack, type OpsStackProps } from '../platform/ops-stack';
import { FunctionSchedule } from '../platform/scheduled-function';
import { reservationGroup } from './reservation-group';
import { declareCapacityVariables } from './variables';

const RESERVER_ASSET = 'capacity-reservation-reserver';
const SCHEDULE_NAME = 'capacity-reservation-schedule';
const RESERVER_TIMEOUT_SECONDS = 300;
const MYSQL_PORT = 3306;
/** Tag RDS puts on the master secret it manages: the ARN of the cluster the secret belongs to. */
const RDS_SECRET_CLUSTER_TAG = 'aws:rds:primaryDBClusterArn';
/** Lambda Node.js 20+ runtimes no longer load the Amazon CA bundle unless told to. */
const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * Capacity reservations: an Aurora MySQL Serverless v2 database holds the wanted capacity per pool
 * (`odcr_capacity` rows); a scheduled function in the VPC brings the On-Demand Capacity Reservations it
 * manages (tag `managed-by`) to that capacity, and alarms when a gap persists.
 */
export class CapacityReservationsStack extends OpsStack {
  constructor(scope: Construct, id: string, props: OpsStackProps) {
    super(scope, id, props);
    const v = declareCapacityVariables(this);

    const alerts = new Alerts(this, 'alerts');
    // Endpoints only for the services the function's code calls (egress_mode = endpoints).
    const network = new Network(this, 'network', {
      interfaceEndpoints: interfaceEndpointsFor(RESERVER_CODE_ACTIONS),
    });

    // ---- security groups: the database accepts MySQL from the function only ----
    const clusterId = this.name('capacity-reservations');
    const fnSg = new SecurityGroup(this, 'reserver-sg', {
      name: this.name('capacity-reservation-reserver'),
      description: 'Capacity reservation reserver: HTTPS to AWS APIs, MySQL to its database',
      vpcId: network.vpcId,
      tags: { Name: this.name('capacity-reservation-reserver') },
    });
    const dbSg = new SecurityGroup(this, 'database-sg', {
      name: clusterId,
      description: 'Capacity reservation database: MySQL from the reserver only',
      vpcId: network.vpcId,
      tags: { Name: clusterId },
    });
    new VpcSecurityGroupIngressRule(this, 'database-from-reserver', {
      securityGroupId: dbSg.id,
      description: 'MySQL from the reserver function',
      ipProtocol: 'tcp',
      fromPort: MYSQL_PORT,
      toPort: MYSQL_PORT,
      referencedSecurityGroupId: fnSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'reserver-to-database', {
      securityGroupId: fnSg.id,
      description: 'MySQL to the capacity database',
      ipProtocol: 'tcp',
      fromPort: MYSQL_PORT,
      toPort: MYSQL_PORT,
      referencedSecurityGroupId: dbSg.id,
    });
    new VpcSecurityGroupEgressRule(this, 'reserver-to-aws-apis', {
      securityGroupId: fnSg.id,
      description: 'HTTPS to AWS APIs (interface endpoints in the VPC, or through NAT)',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      // Endpoints mode keeps HTTPS inside the VPC; NAT (or an existing VPC) needs the internet.
      cidrIpv4:
        '${var.existing_vpc_id == "" && var.egress_mode == "endpoints" ? var.vpc_cidr : "0.0.0.0/0"}',
    });

    // ---- Aurora MySQL Serverless v2 ----
    const subnetGroup = new DbSubnetGroup(this, 'database-subnets', {
      name: clusterId,
      description: 'Private subnets of the capacity reservation database',
      subnetIds: network.privateSubnetIds,
    });
    const cluster = new RdsCluster(this, 'database', {
      clusterIdentifier: clusterId,
      engine: 'aurora-mysql',
      engineMode: 'provisioned',
      engineVersion: v.engineVersion.stringValue,
      databaseName: v.dbName.stringValue,
      masterUsername: 'admin',
      manageMasterUserPassword: true,
      storageEncrypted: true,
      port: MYSQL_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [dbSg.id],
      serverlessv2ScalingConfiguration: {
        minCapacity: v.minAcu.numberValue,
        maxCapacity: v.maxAcu.numberValue,
        // Set only with a minimum of 0 ACU: RDS keeps it only then (see the variable's documentation link).
        secondsUntilAutoPause: Token.asNumber(
          '${var.capacity_db_min_acu == 0 ? var.capacity_db_seconds_until_auto_pause : null}',
        ),
      },
      enableHttpEndpoint: v.dataApi.booleanValue,
      deletionProtection: v.deletionProtection.booleanValue,
      backupRetentionPeriod: v.backupRetention.numberValue,
      skipFinalSnapshot: v.skipFinalSnapshot.booleanValue,
      finalSnapshotIdentifier: `${clusterId}-final`,
      copyTagsToSnapshot: true,
      lifecycle: {
        precondition: [
          {
            condition: '${var.capacity_db_min_acu <= var.capacity_db_max_acu}',
            errorMessage: 'capacity_db_min_acu must not exceed capacity_db_max_acu.',
          },
        ],
      },
    });
    new RdsClusterInstance(this, 'database-instance', {
      count: v.instances.numberValue,
      identifier: `${clusterId}-\${count.index + 1}`,
      clusterIdentifier: cluster.id,
      instanceClass: 'db.serverless',
      engine: cluster.engine,
      engineVersion: cluster.engineVersion,
      publiclyAccessible: false,
      // The engine version is the variable's: an automatic minor upgrade would drift from it.
      autoMinorVersionUpgrade: false,
    });
    const clusterArn = this.arn('rds', `cluster:${clusterId}`);
    const secretArn = cluster.masterUserSecret.get(0).secretArn;

    // ---- the reserver ----
    const failures = new FailureQueue(this, 'failures', { name: 'capacity-reservation-failures' });

    const reservations = this.arn('ec2', 'capacity-reservation/*');
    const group = reservationGroup(this);
    const reserver = new NodeFunction(this, 'reserver', {
      asset: RESERVER_ASSET,
      name: RESERVER_ASSET,
      description:
        'Keeps managed On-Demand Capacity Reservations at the capacity the database asks for',
      timeoutSeconds: RESERVER_TIMEOUT_SECONDS,
      memoryMb: 256,
      reservedConcurrency: 1,
      onFailure: failures.destination,
      vpc: { subnetIds: network.privateSubnetIds, securityGroupIds: [fnSg.id] },
      environment: {
        DB_SECRET_ARN: secretArn,
        DB_HOST: cluster.endpoint,
        DB_PORT: String(MYSQL_PORT),
        DB_NAME: v.dbName.stringValue,
        DB_TLS: 'true',
        LOCK_NAME: clusterId,
        MANAGED_BY: this.managedBy,
        DEFAULT_CHUNK_SIZE: v.chunkSize.stringValue,
        CONCURRENCY: v.concurrency.stringValue,
        IDLE_THRESHOLD_PERCENT: v.idlePercent.stringValue,
        EXPIRY_WARNING_HOURS: v.expiryHours.stringValue,
        RESERVATION_GROUP_ARN: group.group.arn,
        NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
        // A run killed mid-way holds the lock until its session times out: just past the function's timeout.
        DB_SESSION_TIMEOUT_SECONDS: String(RESERVER_TIMEOUT_SECONDS + 60),
        SCHEDULE_RULE_ARN: FunctionSchedule.ruleArnOf(this, SCHEDULE_NAME),
      },
      statements: [
        {
          sid: 'ReadOwnDatabaseSecret',
          actions: ['secretsmanager:GetSecretValue'],
          // The managed secret's ARN is known only after apply; RDS names it rds!cluster-<uuid> and
          // tags it with the cluster's ARN, which is built from variables.
          resources: [this.arn('secretsmanager', 'secret:rds!cluster-*')],
          conditions: {
            StringEquals: { [`aws:ResourceTag/${RDS_SECRET_CLUSTER_TAG}`]: clusterArn },
          },
        },
        {
          sid: 'FindReservations',
          actions: ['ec2:DescribeCapacityReservations'],
          resources: ['*'],
          wildcardReason:
            'ec2:DescribeCapacityReservations supports no resource-level permissions.',
        },
        {
          sid: 'ResolveZones',
          actions: ['ec2:DescribeAvailabilityZones'],
          resources: ['*'],
          wildcardReason: 'ec2:DescribeAvailabilityZones supports no resource-level permissions.',
        },
        {
          // vCPUs of an instance type, for the minimum of a future-dated request.
          sid: 'ReadInstanceTypes',
          actions: ['ec2:DescribeInstanceTypes'],
          resources: ['*'],
          wildcardReason: 'ec2:DescribeInstanceTypes supports no resource-level permissions.',
        },
        {
          sid: 'CreateOnlyManagedReservations',
          actions: ['ec2:CreateCapacityReservation'],
          resources: [reservations],
          conditions: {
            StringEquals: {
              'aws:RequestTag/managed-by': this.managedBy,
              // Exactly the eligibilities a row can ask for (Match).
              'ec2:InstanceMatchCriteria': ['open', 'targeted'],
            },
          },
        },
        {
          sid: 'TagReservationsOnlyAtCreation',
          actions: ['ec2:CreateTags'],
          resources: [reservations],
          conditions: { StringEquals: { 'ec2:CreateAction': 'CreateCapacityReservation' } },
        },
        {
          sid: 'ChangeOnlyManagedReservations',
          actions: ['ec2:ModifyCapacityReservation', 'ec2:CancelCapacityReservation'],
          resources: [reservations],
          conditions: { StringEquals: { 'aws:ResourceTag/managed-by': this.managedBy } },
        },
        {
          // Targeted reservations join the stack's group and leave it before they are cancelled or opened.
          sid: 'GroupOwnReservations',
          actions: ['resource-groups:GroupResources', 'resource-groups:UngroupResources'],
          resources: [group.arn],
        },
      ],
    });

    new FunctionSchedule(this, reserver, {
      name: SCHEDULE_NAME,
      description: 'Reconciles capacity reservations with the capacity database',
      expression: v.schedule.stringValue,
    });

    // ---- alarms ----
    alerts.functionErrors('reserver-errors', reserver);
    alerts.queueNotEmpty('failures-not-empty', failures.name);
    capacityAlarms(alerts, reserver, v);

    capacityDashboard(this, { reserver, failureQueueName: failures.name });

    new TerraformOutput(this, 'db_cluster_endpoint', {
      value: cluster.endpoint,
      description: 'Writer endpoint of the capacity database (MySQL, TLS, port 3306).',
    });
    new TerraformOutput(this, 'db_secret_arn', {
      value: secretArn,
      description: 'The RDS-managed master secret (for the Query Editor / Data API).',
    });
    new TerraformOutput(this, 'reserver_function_name', { value: reserver.function.functionName });
    new TerraformOutput(this, 'failure_queue_url', { value: failures.queue.url });
    new TerraformOutput(this, 'alerts_topic_arn', { value: alerts.topic.arn });
  }
}
