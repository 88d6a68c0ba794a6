import {
  CreateClusterCommand,
  DescribeNodeConfigurationOptionsCommand,
  RedshiftClient,
} from '@aws-sdk/client-redshift';
import type { Emulator } from '../../scripts/emulator/emulator';
import { describeResizeOptions } from '../../functions/redshift-resize/sizing';
import { clientConfig, describeEmulator, emulatorForTests, hook } from '../support/emulator';

// The end-to-end stand-in answers DescribeNodeConfigurationOptions (moto lacks it) as the API reference
// documents it: filters, MaxRecords 100-500, and an estimate once a test gives it the disk use.
describeEmulator('stand-in: Redshift DescribeNodeConfigurationOptions', () => {
  let emulator: Emulator;
  let redshift: RedshiftClient;
  const id = 'sizing';
  beforeAll(async () => {
    emulator = await emulatorForTests();
    redshift = new RedshiftClient(clientConfig(emulator.endpoint));
    await redshift.send(
      new CreateClusterCommand({
        ClusterIdentifier: id,
        NodeType: 'dc2.large',
        NumberOfNodes: 4,
        ClusterType: 'multi-node',
        MasterUsername: 'admin',
        MasterUserPassword: 'Passw0rd-not-real',
      }),
    );
  }, 60_000);
  afterAll(() => emulator?.stop());

  test('the guard reads the options its filters ask for, with the estimate from the disk use', async () => {
    // Prepare
    await hook(emulator.endpoint, 'PUT', 'redshift/settings', { diskUsedPercent: 80 });

    // Act
    const options = await describeResizeOptions(redshift, id, 'dc2.large', 4);

    // Assess: dc2 elastic resize reaches 2-8; the filter keeps 5-8.
    expect(options.map((o) => [o.NumberOfNodes, o.EstimatedDiskUtilizationPercent])).toEqual([
      [5, 64],
      [6, 53.33],
      [7, 45.71],
      [8, 40],
    ]);
  });

  test('no estimate while the disk use is unknown', async () => {
    // Prepare
    await hook(emulator.endpoint, 'PUT', 'redshift/settings', {});

    // Act
    const options = await describeResizeOptions(redshift, id, 'dc2.large', 4);

    // Assess
    expect(options.map((o) => o.EstimatedDiskUtilizationPercent)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('refuses MaxRecords below 100', async () => {
    // Act
    const asked = redshift.send(
      new DescribeNodeConfigurationOptionsCommand({
        ActionType: 'resize-cluster',
        ClusterIdentifier: id,
        MaxRecords: 20,
      }),
    );

    // Assess
    await expect(asked).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});
