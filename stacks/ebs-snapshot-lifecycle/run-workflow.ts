/** Seconds between the last page of pass 1 and the retry pass: claims settle, listings catch up. */
export const RETRY_PASS_SETTLE_SECONDS = 120;
/** Above the page function's 900 s timeout, so a timed-out page ends as a task failure that is retried. */
const PAGE_TASK_TIMEOUT_SECONDS = 960;

export interface RunWorkflowRefs {
  /** ARN of the page function (ebs-snapshot-create). */
  readonly page: string;
  /** URL of the failure queue. */
  readonly failureQueueUrl: string;
}

const ZERO = { volumes: 0, created: 0, skipped: 0, failed: 0, strays: 0 };

/**
 * The run as a Step Functions state machine (Amazon States Language): one page of tagged volumes per task,
 * then one page of tagged instances (crash-consistent sets) per task, looping on the page token, so a run of any size outlives any single invocation. Each task is retried
 * (a timed-out page resumes: what it made is found by tag), CreateSnapshot calls stay paced across tasks
 * (`nextSlotAt`), volumes that failed in pass 1 get a retry pass after the claims settle, and a run that
 * still has failures sends its state to the failure queue and fails (ExecutionsFailed alarm).
 */
export function runDefinition(refs: RunWorkflowRefs): string {
  return JSON.stringify({
    Comment: 'EBS snapshot run: page after page, paced to the EC2 rate, with a retry pass',
    StartAt: 'SnapshotPage',
    States: {
      SnapshotPage: {
        Type: 'Task',
        Resource: refs.page,
        TimeoutSeconds: PAGE_TASK_TIMEOUT_SECONDS,
        Retry: [
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 90, MaxAttempts: 3, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReportFailure' }],
        Next: 'MorePages',
      },
      MorePages: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.pageToken', IsPresent: true, Next: 'SnapshotPage' },
          {
            And: [
              { Variable: '$.pass', NumericEquals: 1 },
              { Variable: '$.totals.failed', NumericGreaterThan: 0 },
            ],
            Next: 'SettleBeforeRetryPass',
          },
          { Variable: '$.totals.failed', NumericGreaterThan: 0, Next: 'ReportFailure' },
        ],
        Default: 'RunSucceeded',
      },
      SettleBeforeRetryPass: {
        Type: 'Wait',
        Seconds: RETRY_PASS_SETTLE_SECONDS,
        Next: 'StartRetryPass',
      },
      StartRetryPass: {
        Type: 'Pass',
        Parameters: {
          'runKey.$': '$.runKey',
          pass: 2,
          'nextSlotAt.$': '$.nextSlotAt',
          'firstPass.$': '$.totals',
          totals: ZERO,
        },
        Next: 'SnapshotPage',
      },
      ReportFailure: {
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sqs:sendMessage',
        Parameters: { QueueUrl: refs.failureQueueUrl, 'MessageBody.$': 'States.JsonToString($)' },
        Retry: [
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RunFailed' }],
        Next: 'RunFailed',
      },
      RunFailed: {
        Type: 'Fail',
        Error: 'SnapshotRunFailed',
        Cause:
          'Volumes failed in both passes, or a page kept failing: the run state is in the failure queue.',
      },
      RunSucceeded: { Type: 'Succeed' },
    },
  });
}
