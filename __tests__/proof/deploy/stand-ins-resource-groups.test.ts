import {
  GetGroupCommand,
  GetTagsCommand,
  GroupResourcesCommand,
  ListGroupResourcesCommand,
  ResourceGroupsClient,
  UngroupResourcesCommand,
} from '@aws-sdk/client-resource-groups';
import { AwsCallError, restCall } from '../../../scripts/emulator/aws/call';
import type { Emulator } from '../../../scripts/emulator/emulator';
import { clientConfig, describeEmulator, emulatorForTests, records } from '../../support/emulator';

type Json = Record<string, unknown>;

/** The stack's capacity reservation group (stacks/capacity-reservations/reservation-group.ts). */
const CONFIGURATION = [
  { Type: 'AWS::EC2::CapacityReservationPool' },
  {
    Type: 'AWS::ResourceGroups::Generic',
    Parameters: [
      { Name: 'allowed-resource-types', Values: ['AWS::EC2::CapacityReservation'] },
      { Name: 'deletion-protection', Values: ['UNLESS_EMPTY'] },
    ],
  },
];
const reservation = (id: string) =>
  `arn:aws:ec2:eu-west-3:123456789012:capacity-reservation/cr-${id}`;

describeEmulator('stand-ins: Resource Groups (a capacity reservation group)', () => {
  let emulator: Emulator;
  const rg = <T = Json>(method: string, path: string, body?: unknown, region = 'eu-west-3') =>
    restCall<T>(emulator.endpoint, 'resource-groups', method, path, body, region);
  const code = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (e: unknown) => (e instanceof AwsCallError ? `${e.status} ${e.code}` : String(e)),
    );
  const create = (name: string) =>
    rg<{ Group: Json; GroupConfiguration: Json }>('POST', '/groups', {
      Name: name,
      Description: 'targeted reservations',
      Configuration: CONFIGURATION,
      Tags: { owner: 'ops' },
    });

  beforeAll(async () => {
    emulator = await emulatorForTests();
  }, 60_000);
  afterAll(() => emulator?.stop());

  test("a created group has its ARN in the client's Region and moto's account; GetGroup reads it by Group or GroupName", async () => {
    const created = await create('pool');
    const byGroup = await rg('POST', '/get-group', { Group: 'pool' });
    const byName = await rg('POST', '/get-group', { GroupName: 'pool' });
    const byArn = await rg('POST', '/get-group', { Group: created.Group.GroupArn });
    expect(created.Group).toEqual({
      GroupArn: 'arn:aws:resource-groups:eu-west-3:123456789012:group/pool',
      Name: 'pool',
      Description: 'targeted reservations',
    });
    expect(created.GroupConfiguration).toEqual({
      Configuration: CONFIGURATION,
      Status: 'UPDATE_COMPLETE',
    });
    expect([byGroup, byName, byArn]).toEqual([
      { Group: created.Group },
      { Group: created.Group },
      { Group: created.Group },
    ]);
  });

  test('the configuration reads back UPDATE_COMPLETE; a configuration group has no query (BadRequestException)', async () => {
    const config = await rg('POST', '/get-group-configuration', { Group: 'pool' });
    expect(config).toEqual({
      GroupConfiguration: { Configuration: CONFIGURATION, Status: 'UPDATE_COMPLETE' },
    });
    expect(await code(rg('POST', '/get-group-query', { GroupName: 'pool' }))).toBe(
      '400 BadRequestException',
    );
  });

  test('tags are read, added and removed by the group ARN', async () => {
    const arn = encodeURIComponent('arn:aws:resource-groups:eu-west-3:123456789012:group/pool');
    await rg('PUT', `/resources/${arn}/tags`, { Tags: { team: 'capacity' } });
    await rg('PATCH', `/resources/${arn}/tags`, { Keys: ['owner'] });
    const tags = await rg('GET', `/resources/${arn}/tags`);
    expect(tags.Tags).toEqual({ team: 'capacity' });
  });

  test('an unknown group: NotFoundException (404); a second group of the same name: BadRequestException', async () => {
    expect(await code(rg('POST', '/get-group', { Group: 'nowhere' }))).toBe(
      '404 NotFoundException',
    );
    expect(await code(rg('POST', '/delete-group', { Group: 'nowhere' }))).toBe(
      '404 NotFoundException',
    );
    expect(await code(create('pool'))).toBe('400 BadRequestException');
  });

  test('GroupResources admits Capacity Reservations only; ListGroupResources lists the members', async () => {
    const instance = 'arn:aws:ec2:eu-west-3:123456789012:instance/i-0abc';
    const grouped = await rg<{ Succeeded: string[]; Failed: Json[] }>('POST', '/group-resources', {
      Group: 'pool',
      ResourceArns: [reservation('1'), instance],
    });
    const listed = await rg<{ Resources: Json[] }>('POST', '/list-group-resources', {
      Group: 'pool',
    });
    expect(grouped.Succeeded).toEqual([reservation('1')]);
    expect(grouped.Failed).toEqual([expect.objectContaining({ ResourceArn: instance })]);
    expect(listed.Resources).toEqual([
      {
        Identifier: {
          ResourceArn: reservation('1'),
          ResourceType: 'AWS::EC2::CapacityReservation',
        },
      },
    ]);
  });

  test('deletion-protection UNLESS_EMPTY: DeleteGroup refused while a member remains, done once it is ungrouped', async () => {
    const refused = await code(rg('POST', '/delete-group', { GroupName: 'pool' }));
    await rg('POST', '/ungroup-resources', { Group: 'pool', ResourceArns: [reservation('1')] });
    const deleted = await rg('POST', '/delete-group', { GroupName: 'pool' });
    expect(refused).toBe('400 BadRequestException');
    expect(deleted).toMatchObject({ Group: { Name: 'pool' } });
    expect(await code(rg('POST', '/get-group', { Group: 'pool' }))).toBe('404 NotFoundException');
  });

  test("the AWS SDK's client reads the group by ARN, its tags, and groups and lists a reservation", async () => {
    const sdk = new ResourceGroupsClient(clientConfig(emulator.endpoint));
    const { Group } = await create('sdk');
    const arn = String(Group.GroupArn);
    const read = await sdk.send(new GetGroupCommand({ Group: arn }));
    const tags = await sdk.send(new GetTagsCommand({ Arn: arn }));
    const cr = `arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-sdk`;
    const grouped = await sdk.send(new GroupResourcesCommand({ Group: arn, ResourceArns: [cr] }));
    const listed = await sdk.send(new ListGroupResourcesCommand({ Group: arn }));
    await sdk.send(new UngroupResourcesCommand({ Group: arn, ResourceArns: [cr] }));
    await rg('POST', '/delete-group', { Group: arn });
    expect(read.Group?.Name).toBe('sdk');
    expect(tags.Tags).toEqual({ owner: 'ops' });
    expect(grouped.Succeeded).toEqual([cr]);
    expect(listed.Resources?.map((r) => r.Identifier?.ResourceArn)).toEqual([cr]);
  });

  test('ListGroups lists what exists; every call was answered by the stand-in, none by moto', async () => {
    await create('second');
    const listed = await rg<{ GroupIdentifiers: Json[] }>('POST', '/groups-list', {});
    const recorded = (await records(emulator.endpoint)).filter(
      (r) => r.service === 'resource-groups',
    );
    expect(listed.GroupIdentifiers).toEqual([
      {
        GroupName: 'second',
        GroupArn: 'arn:aws:resource-groups:eu-west-3:123456789012:group/second',
      },
    ]);
    // 27 calls in this file, each answered here (a request moto answers is not recorded).
    expect(recorded).toHaveLength(27);
    expect(recorded.every((r) => r.kind === 'stand-in' && r.operation !== '')).toBe(true);
  });
});
