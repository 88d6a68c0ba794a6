import { interfaceEndpointsFor } from '../../stacks/platform/endpoints';

describe('interfaceEndpointsFor', () => {
  it('names each service once, with its endpoint name (cloudwatch is "monitoring")', () => {
    // Act
    const endpoints = interfaceEndpointsFor([
      'ec2:CreateCapacityReservation',
      'ec2:CreateTags',
      'cloudwatch:DescribeAlarms',
      'secretsmanager:GetSecretValue',
    ]);

    // Assess
    expect(endpoints).toEqual(['ec2', 'monitoring', 'secretsmanager']);
  });

  it('refuses an action of a service it has no endpoint name for, naming the action', () => {
    // Act
    const act = () => interfaceEndpointsFor(['s3:GetObject']);

    // Assess
    expect(act).toThrow('"s3:GetObject"');
  });
});
