/**
 * A fake EC2 Query-protocol endpoint for a REAL EC2Client (its `requestHandler`), so the SDK's own
 * serializer, error parsing and retry middleware run. Answers DescribeVolumes (pages), DescribeSnapshots,
 * CreateSnapshot and DeleteSnapshot with the XML EC2 sends, and can fail the next calls of an action
 * with EC2 XML errors (e.g. RequestLimitExceeded / HTTP 503).
 */
import type { Tag, Volume } from '@aws-sdk/client-ec2';
import { WORLD } from '../../../fixtures/deployment';

export interface FakeError {
  readonly status: number;
  readonly code: string;
  readonly message?: string;
}

interface StoredSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly description: string;
  readonly startTime: string;
  readonly tags: Tag[];
}

const esc = (v: unknown): string =>
  String(v ?? '').replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string,
  );
const tagSet = (tags: readonly Tag[] | undefined): string =>
  `<tagSet>${(tags ?? []).map((t) => `<item><key>${esc(t.Key)}</key><value>${esc(t.Value)}</value></item>`).join('')}</tagSet>`;
const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const REQUEST_ID = '59dbff89-35bd-4eac-99ed-be587EXAMPLE';

function filters(params: URLSearchParams): Array<{ name: string; values: string[] }> {
  const out: Array<{ name: string; values: string[] }> = [];
  for (let n = 1; params.has(`Filter.${n}.Name`); n++) {
    const values: string[] = [];
    for (let m = 1; params.has(`Filter.${n}.Value.${m}`); m++)
      values.push(params.get(`Filter.${n}.Value.${m}`) as string);
    out.push({ name: params.get(`Filter.${n}.Name`) as string, values });
  }
  return out;
}

function requestTags(params: URLSearchParams): Tag[] {
  const tags: Tag[] = [];
  for (let n = 1; params.has(`TagSpecification.1.Tag.${n}.Key`); n++) {
    tags.push({
      Key: params.get(`TagSpecification.1.Tag.${n}.Key`) as string,
      Value: params.get(`TagSpecification.1.Tag.${n}.Value`) ?? '',
    });
  }
  return tags;
}

export class FakeEc2Http {
  /** Every HTTP request the SDK sent (retries included), as action + form parameters. */
  readonly requests: Array<{ action: string; params: URLSearchParams }> = [];
  readonly snapshots: StoredSnapshot[] = [];
  private readonly failures = new Map<string, FakeError[]>();
  private counter = 0;

  constructor(
    private readonly volumePages: ReadonlyArray<{ Volumes?: Volume[]; NextToken?: string }>,
    private readonly now: () => Date,
  ) {}

  /** The next calls of `action` fail with these errors, in order. */
  failNext(action: string, ...errors: FakeError[]): this {
    this.failures.set(action, [...(this.failures.get(action) ?? []), ...errors]);
    return this;
  }

  count(action: string): number {
    return this.requests.filter((r) => r.action === action).length;
  }

  /** The smithy HttpHandler contract: `handle(request)` resolves to `{ response }`. */
  readonly handle = async (request: { body?: unknown }): Promise<{ response: object }> => {
    const params = new URLSearchParams(String(request.body ?? ''));
    const action = params.get('Action') ?? '';
    this.requests.push({ action, params });
    const failure = this.failures.get(action)?.shift();
    if (failure) return this.respond(failure.status, this.errorXml(failure));
    switch (action) {
      case 'DescribeVolumes':
        return this.respond(200, this.describeVolumes(params));
      case 'DescribeSnapshots':
        return this.respond(200, this.describeSnapshots(params));
      case 'CreateSnapshot':
        return this.respond(200, this.createSnapshot(params));
      case 'DeleteSnapshot':
        return this.respond(
          200,
          `<DeleteSnapshotResponse xmlns="${NS}"><requestId>${REQUEST_ID}</requestId><return>true</return></DeleteSnapshotResponse>`,
        );
      default:
        return this.respond(
          400,
          this.errorXml({
            status: 400,
            code: 'InvalidAction',
            message: `fake EC2 has no ${action}`,
          }),
        );
    }
  };

  /** Lets a test pass this object as `requestHandler` (an HttpHandler). */
  readonly updateHttpClientConfig = (): void => undefined;
  readonly httpHandlerConfigs = (): object => ({});

  private respond(statusCode: number, xml: string) {
    return Promise.resolve({
      response: {
        statusCode,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: Buffer.from(xml),
      },
    });
  }

  private errorXml(e: FakeError): string {
    return `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${esc(e.code)}</Code><Message>${esc(e.message ?? e.code)}</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`;
  }

  private describeVolumes(params: URLSearchParams): string {
    const token = params.get('NextToken');
    const index = token
      ? this.volumePages.findIndex((_, i) => this.volumePages[i - 1]?.NextToken === token)
      : 0;
    const page = this.volumePages[index] ?? {};
    const items = (page.Volumes ?? [])
      .map(
        (v) =>
          `<item><volumeId>${esc(v.VolumeId)}</volumeId><size>${esc(v.Size)}</size><availabilityZone>${esc(v.AvailabilityZone)}</availabilityZone>` +
          `<status>${esc(v.State)}</status><volumeType>${esc(v.VolumeType)}</volumeType><encrypted>${esc(v.Encrypted)}</encrypted>${tagSet(v.Tags)}</item>`,
      )
      .join('');
    const next = page.NextToken ? `<nextToken>${esc(page.NextToken)}</nextToken>` : '';
    return `<DescribeVolumesResponse xmlns="${NS}"><requestId>${REQUEST_ID}</requestId><volumeSet>${items}</volumeSet>${next}</DescribeVolumesResponse>`;
  }

  private describeSnapshots(params: URLSearchParams): string {
    const wanted = filters(params);
    const found = this.snapshots.filter((s) =>
      wanted.every(
        (f) =>
          f.name.startsWith('tag:') &&
          f.values.includes(s.tags.find((t) => t.Key === f.name.slice(4))?.Value ?? '\u0000'),
      ),
    );
    const items = found
      .map(
        (s) =>
          `<item><snapshotId>${s.snapshotId}</snapshotId><volumeId>${s.volumeId}</volumeId><status>pending</status>` +
          `<startTime>${s.startTime}</startTime><ownerId>${WORLD.account}</ownerId><description>${esc(s.description)}</description>${tagSet(s.tags)}</item>`,
      )
      .join('');
    return `<DescribeSnapshotsResponse xmlns="${NS}"><requestId>${REQUEST_ID}</requestId><snapshotSet>${items}</snapshotSet></DescribeSnapshotsResponse>`;
  }

  private createSnapshot(params: URLSearchParams): string {
    this.counter += 1;
    const snapshot: StoredSnapshot = {
      snapshotId: `snap-${this.counter.toString(16).padStart(17, '0')}`,
      volumeId: params.get('VolumeId') ?? '',
      description: params.get('Description') ?? '',
      startTime: this.now().toISOString(),
      tags: requestTags(params),
    };
    this.snapshots.push(snapshot);
    return (
      `<CreateSnapshotResponse xmlns="${NS}"><requestId>${REQUEST_ID}</requestId><snapshotId>${snapshot.snapshotId}</snapshotId>` +
      `<volumeId>${esc(snapshot.volumeId)}</volumeId><status>pending</status><startTime>${snapshot.startTime}</startTime><progress></progress>` +
      `<ownerId>${WORLD.account}</ownerId><volumeSize>8</volumeSize><description>${esc(snapshot.description)}</description>${tagSet(snapshot.tags)}</CreateSnapshotResponse>`
    );
  }
}

export { FastRecordingRetryStrategy } from '../../../support/fast-retry';

export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
