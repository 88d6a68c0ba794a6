/**
 * Every AWS call the reserver's code makes, as IAM actions. The policy grants exactly these (plus the
 * platform's statements for what Lambda does on the function's behalf), the IAM proof checks them against
 * the calls the handler tests record, and the VPC's interface endpoints are derived from them.
 */
export const RESERVER_CODE_ACTIONS: readonly string[] = [
  'secretsmanager:GetSecretValue',
  'ec2:DescribeCapacityReservations',
  'ec2:DescribeAvailabilityZones',
  'ec2:DescribeInstanceTypes',
  'ec2:CreateCapacityReservation',
  'ec2:CreateTags',
  'ec2:ModifyCapacityReservation',
  'ec2:CancelCapacityReservation',
  'resource-groups:GroupResources',
  'resource-groups:UngroupResources',
];
