import { RdsCluster } from '@cdktf/provider-aws/lib/rds-cluster';
import { only, resources, synthJson, synthStack, testStack } from '../support/synth';

const STACK = 'capacity-reservations';
const { json } = synthStack(STACK);

/** Logical name of the only resource of a type. */
function nameOf(type: string): string {
  const names = Object.keys(resources(json, type));
  if (names.length !== 1) throw new Error(`expected one ${type}, found ${names.length}`);
  return names[0]!;
}

function securityGroupNamed(name: string): string {
  const found = Object.entries(resources(json, 'aws_security_group')).find(
    ([, sg]) => sg.name === name,
  );
  if (!found) throw new Error(`no security group ${name}`);
  return `\${aws_security_group.${found[0]}.id}`;
}

const reserverSg = securityGroupNamed('${var.name_prefix}-capacity-reservation-reserver');
const databaseSg = securityGroupNamed('${var.name_prefix}-capacity-reservations');
const fn = only(json, 'aws_lambda_function');
const env = (fn.environment as { variables: Record<string, string> }).variables;
const cluster = only(json, 'aws_rds_cluster');
const privateSubnets =
  /^\$\{var\.existing_vpc_id != "" \? var\.existing_private_subnet_ids : aws_subnet\.network_private_\w+\[\*\]\.id\}$/;

describe('capacity-reservations stack', () => {
  test('provider: default tags name the stack', () => {
    expect(json.provider.aws?.[0]).toMatchObject({
      default_tags: [{ tags: { project: 'ops-autopilot', stack: STACK, 'managed-by': 'cdktf' } }],
    });
  });

  test('uses the network block with egress through endpoints by default', () => {
    expect(json.variable.egress_mode?.default).toBe('endpoints');
  });

  test("creates interface endpoints only for the services the function's code calls", () => {
    const services = Object.values(resources(json, 'aws_vpc_endpoint')).map((e) =>
      String(e.service_name).split('.').pop(),
    );
    expect(services.sort()).toEqual(['ec2', 'resource-groups', 'secretsmanager']);
  });
});

describe('capacity-reservations: database', () => {
  test('Aurora MySQL Serverless v2, current 8.0 engine from a variable', () => {
    expect(cluster).toMatchObject({
      cluster_identifier: '${var.name_prefix}-capacity-reservations',
      engine: 'aurora-mysql',
      engine_mode: 'provisioned',
      engine_version: '${var.capacity_db_engine_version}',
      serverlessv2_scaling_configuration: {
        min_capacity: '${var.capacity_db_min_acu}',
        max_capacity: '${var.capacity_db_max_acu}',
        seconds_until_auto_pause:
          '${var.capacity_db_min_acu == 0 ? var.capacity_db_seconds_until_auto_pause : null}',
      },
      port: 3306,
    });
    expect(json.variable.capacity_db_engine_version?.default).toMatch(
      /^8\.0\.mysql_aurora\.3\.\d+\.\d+$/,
    );
  });

  test('RDS manages the master password in Secrets Manager; storage is encrypted', () => {
    expect(cluster).toMatchObject({ manage_master_user_password: true, storage_encrypted: true });
    expect(cluster.master_password).toBeUndefined();
  });

  test('deletion protection, backups, final snapshot and Data API from variables', () => {
    expect(cluster).toMatchObject({
      deletion_protection: '${var.capacity_db_deletion_protection}',
      backup_retention_period: '${var.capacity_db_backup_retention_days}',
      skip_final_snapshot: '${var.capacity_db_skip_final_snapshot}',
      final_snapshot_identifier: '${var.name_prefix}-capacity-reservations-final',
      enable_http_endpoint: '${var.capacity_db_data_api}',
      database_name: '${var.capacity_db_name}',
    });
    expect(json.variable.capacity_db_deletion_protection?.default).toBe(true);
    expect(json.variable.capacity_db_skip_final_snapshot?.default).toBe(false);
    expect(json.variable.capacity_db_data_api?.default).toBe(true);
  });

  test('minimum capacity may not exceed maximum (plan-time precondition)', () => {
    const lifecycle = cluster.lifecycle as { precondition: Array<{ condition: string }> };
    expect(lifecycle.precondition[0]?.condition).toBe(
      '${var.capacity_db_min_acu <= var.capacity_db_max_acu}',
    );
  });

  test('db.serverless instances, count from a variable, not public', () => {
    expect(only(json, 'aws_rds_cluster_instance')).toMatchObject({
      count: '${var.capacity_db_instances}',
      instance_class: 'db.serverless',
      engine: '${aws_rds_cluster.database.engine}',
      publicly_accessible: false,
    });
  });

  test('lives in the private subnets, behind its own security group', () => {
    expect(only(json, 'aws_db_subnet_group').subnet_ids).toMatch(privateSubnets);
    expect(cluster.db_subnet_group_name).toBe(
      `\${aws_db_subnet_group.${nameOf('aws_db_subnet_group')}.name}`,
    );
    expect(cluster.vpc_security_group_ids).toEqual([databaseSg]);
  });

  test('accepts MySQL from the reserver security group only', () => {
    const rules = Object.values(resources(json, 'aws_vpc_security_group_ingress_rule')).filter(
      (r) => r.security_group_id === databaseSg,
    );
    expect(rules).toEqual([
      expect.objectContaining({
        ip_protocol: 'tcp',
        from_port: 3306,
        to_port: 3306,
        referenced_security_group_id: reserverSg,
      }),
    ]);
    expect(rules[0]?.cidr_ipv4).toBeUndefined();
  });
});

describe('capacity-reservations: reserver function', () => {
  test('bundle, Node 22, one at a time, 5-minute timeout', () => {
    expect(fn).toMatchObject({
      function_name: '${var.name_prefix}-capacity-reservation-reserver',
      runtime: 'nodejs22.x',
      reserved_concurrent_executions: 1,
      timeout: 300,
    });
    expect(fn.filename).toMatch(/capacity-reservation-reserver\.zip$/);
  });

  test('runs in the private subnets with its own security group', () => {
    expect(fn.vpc_config).toEqual({
      subnet_ids: expect.stringMatching(privateSubnets),
      security_group_ids: [reserverSg],
    });
  });

  test('may send HTTPS to AWS APIs and MySQL to the database security group only', () => {
    const egress = Object.values(resources(json, 'aws_vpc_security_group_egress_rule'));
    expect(egress.every((r) => r.security_group_id === reserverSg)).toBe(true);
    expect(egress.map((r) => [r.from_port, r.referenced_security_group_id ?? r.cidr_ipv4])).toEqual(
      expect.arrayContaining([
        [3306, databaseSg],
        [
          443,
          '${var.existing_vpc_id == "" && var.egress_mode == "endpoints" ? var.vpc_cidr : "0.0.0.0/0"}',
        ],
      ]),
    );
    expect(egress).toHaveLength(2);
  });

  test('gets the handler contract through its environment', () => {
    expect(env).toMatchObject({
      DB_SECRET_ARN: '${aws_rds_cluster.database.master_user_secret[0].secret_arn}',
      DB_HOST: '${aws_rds_cluster.database.endpoint}',
      DB_PORT: '3306',
      DB_NAME: '${var.capacity_db_name}',
      DB_TLS: 'true',
      LOCK_NAME: '${var.name_prefix}-capacity-reservations',
      MANAGED_BY: '${var.name_prefix}/capacity-reservations',
      DEFAULT_CHUNK_SIZE: '${var.capacity_default_chunk_size}',
      CONCURRENCY: '${var.capacity_concurrency}',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      DB_SESSION_TIMEOUT_SECONDS: '360',
      SCHEDULE_RULE_ARN:
        'arn:${data.aws_partition.partition.partition}:events:${var.region}:${var.account_id}:rule/${var.name_prefix}-capacity-reservation-schedule',
      POWERTOOLS_SERVICE_NAME: 'capacity-reservation-reserver',
      POWERTOOLS_METRICS_NAMESPACE: 'OpsAutopilot',
    });
    expect(json.variable.capacity_default_chunk_size?.default).toBe(10);
  });

  test("knows its own schedule rule: SCHEDULE_RULE_ARN is the rule's ARN", () => {
    const rule = only(json, 'aws_cloudwatch_event_rule');
    expect(env.SCHEDULE_RULE_ARN?.endsWith(`:rule/${String(rule.name)}`)).toBe(true);
  });

  test('runs on a rate(5 minutes) schedule from a variable, invoked by EventBridge only', () => {
    expect(only(json, 'aws_cloudwatch_event_rule').schedule_expression).toBe(
      '${var.capacity_schedule}',
    );
    expect(json.variable.capacity_schedule?.default).toBe('rate(5 minutes)');
    expect(only(json, 'aws_cloudwatch_event_target').arn).toMatch(
      /^\$\{aws_lambda_function\.reserver_function_\w+\.arn\}$/,
    );
    expect(only(json, 'aws_lambda_permission')).toMatchObject({
      principal: 'events.amazonaws.com',
      source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.schedule\.arn\}$/),
    });
  });

  test('failed async invocations go to an encrypted queue', () => {
    expect(only(json, 'aws_sqs_queue')).toMatchObject({
      name: '${var.name_prefix}-capacity-reservation-failures',
      sqs_managed_sse_enabled: true,
    });
    expect(only(json, 'aws_lambda_function_event_invoke_config')).toMatchObject({
      destination_config: {
        on_failure: {
          destination:
            'arn:${data.aws_partition.partition.partition}:sqs:${var.region}:${var.account_id}:${var.name_prefix}-capacity-reservation-failures',
        },
      },
    });
  });
});

describe('policy checks: RDS clusters', () => {
  test('fail the synth on an unencrypted cluster', () => {
    const { stack: bare } = testStack();
    new RdsCluster(bare, 'store', { engine: 'aurora-mysql', clusterIdentifier: 'x' });
    expect(() => synthJson(bare)).toThrow(
      /data store .*store is not encrypted: set storage_encrypted/,
    );
  });

  test('let an encrypted cluster pass', () => {
    const { stack: bare } = testStack();
    new RdsCluster(bare, 'store', {
      engine: 'aurora-mysql',
      clusterIdentifier: 'x',
      storageEncrypted: true,
    });
    expect(() => synthJson(bare)).not.toThrow();
  });
});
