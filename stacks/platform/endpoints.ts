/**
 * Interface endpoint short names (`com.amazonaws.<region>.<name>`) by IAM service prefix, for the services a
 * function's own code calls. Calls Lambda makes for a function (its logs, ENIs, failure destination) go
 * through the Lambda service, not the function's ENIs, and need no endpoint:
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 * https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html
 */
const ENDPOINT_BY_IAM_PREFIX: Readonly<Record<string, string>> = {
  ec2: 'ec2',
  secretsmanager: 'secretsmanager',
  logs: 'logs',
  cloudwatch: 'monitoring',
  sts: 'sts',
  sqs: 'sqs',
  sns: 'sns',
  ssm: 'ssm',
  ecs: 'ecs',
  autoscaling: 'autoscaling',
  states: 'states',
  redshift: 'redshift',
  dms: 'dms',
  kms: 'kms',
  // https://docs.aws.amazon.com/ARG/latest/userguide/vpc-interface-endpoints.html
  'resource-groups': 'resource-groups',
};

/** The interface endpoints the given IAM actions (e.g. `ec2:CreateCapacityReservation`) need, sorted. */
export function interfaceEndpointsFor(actions: readonly string[]): string[] {
  const names = new Set<string>();
  for (const action of actions) {
    const prefix = action.split(':')[0] ?? '';
    const endpoint = ENDPOINT_BY_IAM_PREFIX[prefix];
    if (!endpoint)
      throw new Error(
        `interfaceEndpointsFor: no interface endpoint known for the IAM action "${action}" (add its service)`,
      );
    names.add(endpoint);
  }
  return [...names].sort();
}
