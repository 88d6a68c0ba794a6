import { RESERVER_METRICS } from '../../functions/capacity-reservation/metric-names';
import {
  COPY_METRIC_SPECS,
  CREATE_METRIC_SPECS,
  DELETE_METRIC_SPECS,
  START_METRIC_SPECS,
  SWEEP_METRIC_SPECS,
} from '../../functions/ebs-snapshot/metric-names';
import { DRAIN_METRIC_SPECS } from '../../functions/ecs-drain/metric-names';
import { SPOT_SIGNAL_METRIC_SPECS } from '../../functions/ecs-drain/spot-metric-names';
import {
  GUARD_METRIC_SPECS,
  RESIZE_METRIC_SPECS,
  TRIGGER_METRIC_SPECS,
} from '../../functions/redshift-resize/metric-names';
import type { MetricSpec } from '../../functions/shared/metric-spec';
import { STACKS, type StackName } from '../../stacks/app';
import { GRID_WIDTH, METRICS_NAMESPACE } from '../../stacks/platform/dashboard';
import {
  type Body,
  dimensionKeys,
  type MetricRef,
  metricRefs,
  parseSynthBody,
} from '../support/dashboard-body';
import { resources, synthStack, type TfJson } from '../support/synth';

/**
 * Each stack's dashboard, against the stack itself: every metric it graphs is one a function of the stack
 * emits (by the names in functions/<group>/metric-names.ts, which the handlers import and the handler
 * groups' *.metrics.test.ts prove against the EMF they print) or one AWS publishes for a resource of the
 * stack. By `service` value: what each function emits.
 */
const EMITTED: Readonly<Record<string, readonly MetricSpec[]>> = {
  'capacity-reservation-reserver': RESERVER_METRICS,
  'ebs-snapshot-copy': COPY_METRIC_SPECS,
  'ebs-snapshot-create': CREATE_METRIC_SPECS,
  'ebs-snapshot-delete': DELETE_METRIC_SPECS,
  'ebs-snapshot-start': START_METRIC_SPECS,
  'ebs-snapshot-sweep': SWEEP_METRIC_SPECS,
  'ecs-drain': DRAIN_METRIC_SPECS,
  'ecs-spot-signals': SPOT_SIGNAL_METRIC_SPECS,
  'redshift-resize-trigger': TRIGGER_METRIC_SPECS,
  'redshift-resize-guard': GUARD_METRIC_SPECS,
  'redshift-resize-resize': RESIZE_METRIC_SPECS,
};

/** What AWS publishes, by namespace and metric: the dimension set of the metric the dashboard means. */
const AWS_METRICS: Readonly<Record<string, readonly string[]>> = {
  'AWS/Lambda Errors': ['FunctionName'],
  'AWS/SQS ApproximateNumberOfMessagesVisible': ['QueueName'],
  'AWS/SQS ApproximateNumberOfMessagesDelayed': ['QueueName'],
  'AWS/ECS CPUUtilization': ['ClusterName', 'ServiceName'],
  'AWS/ECS CPUReservation': ['ClusterName'],
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
  'AWS/ECS MemoryUtilization': ['ClusterName', 'ServiceName'],
  'AWS/ECS MemoryReservation': ['ClusterName'],
  'ECS/ContainerInsights RunningTaskCount': ['ClusterName', 'ServiceName'],
  'ECS/ContainerInsights DesiredTaskCount': ['ClusterName', 'ServiceName'],
  'AWS/ECS/ManagedScaling CapacityProviderReservation': ['CapacityProviderName', 'ClusterName'],
  'AWS/AutoScaling GroupInServiceInstances': ['AutoScalingGroupName'],
  'AWS/States ExecutionsStarted': ['StateMachineArn'],
  'AWS/States ExecutionsSucceeded': ['StateMachineArn'],
  'AWS/States ExecutionsFailed': ['StateMachineArn'],
  'AWS/States ExecutionsTimedOut': ['StateMachineArn'],
  'AWS/States ExecutionsAborted': ['StateMachineArn'],
  'AWS/Redshift PercentageDiskSpaceUsed': ['ClusterIdentifier'],
};

/**
 * AWS metrics a graph may read with a Metrics Insights query: the query's whole schema, and the dimensions it
 * must fix to this stack's resource (the others stay open, e.g. every node of the cluster).
 */
const AWS_QUERIED: Readonly<
  Record<string, { readonly schema: readonly string[]; readonly fixed: readonly string[] }>
> = {
  // NodeID: https://docs.aws.amazon.com/redshift/latest/mgmt/metrics-listing.html
  'AWS/Redshift PercentageDiskSpaceUsed': {
    schema: ['ClusterIdentifier', 'NodeID'],
    fixed: ['ClusterIdentifier'],
  },
};

const STACK_NAMES = Object.keys(STACKS) as StackName[];

/** What a stack is made of, as the dashboard may name it. */
function inventory(json: TfJson) {
  const all = (type: string) => Object.values(resources(json, type));
  const attr = (type: string, name: string) => all(type).map((r) => String(r[name]));
  const alarmDims = (key: string) =>
    all('aws_cloudwatch_metric_alarm')
      .map((a) => (a.dimensions as Record<string, string> | undefined)?.[key])
      .filter((v): v is string => v !== undefined);
  const functions = all('aws_lambda_function').map((f) => {
    const env = (f.environment as { variables: Record<string, string> }).variables;
    return {
      name: String(f.function_name),
      service: env.POWERTOOLS_SERVICE_NAME,
      namespace: env.POWERTOOLS_METRICS_NAMESPACE,
    };
  });
  return {
    functions,
    services: functions.map((f) => f.service).filter((s): s is string => s !== undefined),
    functionNames: functions.map((f) => f.name),
    queues: attr('aws_sqs_queue', 'name'),
    clusters: attr('aws_ecs_cluster', 'name'),
    ecsServices: attr('aws_ecs_service', 'name'),
    capacityProviders: attr('aws_ecs_capacity_provider', 'name'),
    groups: all('aws_autoscaling_group').map((g) => ({
      name: String(g.name),
      enabledMetrics: (g.enabled_metrics as string[] | undefined) ?? [],
    })),
    stateMachines: attr('aws_sfn_state_machine', 'name'),
    redshiftClusters: alarmDims('ClusterIdentifier'),
  };
}

type Inventory = ReturnType<typeof inventory>;

/** Why an AWS metric reference does not name this stack's resource ([] when it does). */
function awsProblems(ref: MetricRef, inv: Inventory): string[] {
  const where = `${ref.widget}: ${ref.namespace} ${ref.name}`;
  const queried = AWS_QUERIED[`${ref.namespace} ${ref.name}`];
  const keys =
    ref.via === 'insights' && queried
      ? queried.schema
      : AWS_METRICS[`${ref.namespace} ${ref.name}`];
  if (!keys) return [`${where} is not a metric this test knows AWS publishes`];
  if (ref.via !== 'metric' && !(ref.via === 'insights' && queried))
    return [`${where} is read through ${ref.via}, not named`];
  if (JSON.stringify(dimensionKeys(ref)) !== JSON.stringify([...keys].sort()))
    return [`${where} has dimensions ${dimensionKeys(ref).join(', ')}, not ${keys.join(', ')}`];
  const open = (ref.via === 'insights' ? (queried?.fixed ?? []) : []).filter(
    (k) => !(k in ref.dimensions),
  );
  if (open.length > 0) return [`${where} leaves ${open.join(', ')} open: any stack's resource`];
  const d = ref.dimensions;
  const problems: string[] = [];
  const among = (key: string, known: readonly string[]) => {
    if (!known.includes(d[key]!)) problems.push(`${where}: ${key} ${d[key]} is none of ${known}`);
  };
  if ('FunctionName' in d) among('FunctionName', inv.functionNames);
  if ('QueueName' in d) among('QueueName', inv.queues);
  if ('ClusterName' in d) among('ClusterName', inv.clusters);
  if ('ServiceName' in d) among('ServiceName', inv.ecsServices);
  if ('CapacityProviderName' in d) among('CapacityProviderName', inv.capacityProviders);
  if ('ClusterIdentifier' in d) among('ClusterIdentifier', inv.redshiftClusters);
  if ('AutoScalingGroupName' in d) {
    const group = inv.groups.find((g) => g.name === d.AutoScalingGroupName);
    if (!group) problems.push(`${where}: no group ${d.AutoScalingGroupName}`);
    else if (!group.enabledMetrics.includes(ref.name))
      problems.push(`${where}: group ${group.name} does not collect ${ref.name} (enabled_metrics)`);
  }
  if ('StateMachineArn' in d) {
    const arn = d.StateMachineArn!;
    if (
      !inv.stateMachines.some((n) => arn.startsWith('arn:') && arn.endsWith(`:stateMachine:${n}`))
    )
      problems.push(`${where}: ${arn} is not the ARN of ${inv.stateMachines}`);
  }
  return problems;
}

/** Why an OpsAutopilot reference is not a metric a function of this stack emits ([] when it is). */
function emfProblems(ref: MetricRef, inv: Inventory): string[] {
  const where = `${ref.widget}: ${ref.name}`;
  const service = ref.dimensions.service;
  if (service === undefined) return [`${where} does not fix the service dimension`];
  if (!inv.services.includes(service))
    return [`${where}: service ${service} is no function of this stack (${inv.services})`];
  // A metric may be emitted under several dimension sets (e.g. a total and a breakdown): any one matches.
  const specs = (EMITTED[service] ?? []).filter((s) => s.name === ref.name);
  if (specs.length === 0) return [`${where}: ${service} emits no ${ref.name}`];
  const expected = specs.map((spec) => [...spec.dimensions, 'service'].sort().join(', '));
  if (!expected.includes(dimensionKeys(ref).join(', ')))
    return [
      `${where}: dimensions ${dimensionKeys(ref).join(', ')}, but ${service} emits it with ${expected.join(' or ')}`,
    ];
  return [];
}

describe.each(STACK_NAMES)('the %s dashboard', (stackName) => {
  let json: TfJson;
  let dashboard: Record<string, unknown>;
  let body: Body;
  let refs: MetricRef[];
  let inv: Inventory;
  beforeAll(() => {
    json = synthStack(stackName).json;
    const all = Object.values(resources(json, 'aws_cloudwatch_dashboard'));
    dashboard = all[0] ?? {};
    body = parseSynthBody(String(dashboard.dashboard_body));
    refs = metricRefs(body);
    inv = inventory(json);
  });

  test('is the one dashboard of the stack, named <name_prefix>-<stack>', () => {
    // Assess
    expect(Object.keys(resources(json, 'aws_cloudwatch_dashboard'))).toHaveLength(1);
    expect(dashboard.dashboard_name).toBe(`\${var.name_prefix}-${stackName}`);
  });

  test('opens with a text widget, and every graph has a title, the region variable and 1-100 series', () => {
    // Assess
    expect(body.widgets[0]?.type).toBe('text');
    const graphs = body.widgets.filter((w) => w.type === 'metric');
    expect(graphs.length).toBeGreaterThanOrEqual(4);
    for (const g of graphs) {
      expect(g.properties.title).toEqual(expect.any(String));
      expect(g.properties.region).toBe('${var.region}');
      expect((g.properties.metrics as unknown[]).length).toBeGreaterThanOrEqual(1);
      expect((g.properties.metrics as unknown[]).length).toBeLessThanOrEqual(100);
    }
  });

  test('lays its widgets inside the grid without overlaps', () => {
    // Assess
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(GRID_WIDTH);
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });

  test('graphs, of the OpsAutopilot namespace, only metrics a function of the stack emits, with their exact dimension set', () => {
    // Assess
    const emf = refs.filter((r) => r.namespace === METRICS_NAMESPACE);
    expect(emf.flatMap((r) => emfProblems(r, inv))).toEqual([]);
  });

  test("graphs every metric the stack's functions emit", () => {
    // Assess
    const missing = inv.services.flatMap((service) =>
      (EMITTED[service] ?? [])
        .filter(
          (spec) =>
            !refs.some(
              (r) =>
                r.namespace === METRICS_NAMESPACE &&
                r.dimensions.service === service &&
                r.name === spec.name,
            ),
        )
        .map((spec) => `${service} ${spec.name}`),
    );
    expect(missing).toEqual([]);
  });

  test('graphs, of AWS namespaces, only metrics of resources of this stack', () => {
    // Assess
    const aws = refs.filter((r) => r.namespace !== METRICS_NAMESPACE);
    expect(aws.flatMap((r) => awsProblems(r, inv))).toEqual([]);
  });

  test('every function of the stack writes its EMF to the namespace the dashboard reads', () => {
    // Assess
    expect(inv.functions.map((f) => f.namespace)).toEqual(
      inv.functions.map(() => METRICS_NAMESPACE),
    );
  });
});

test('the check of AWS references can fail: a queue of another stack is refused', () => {
  // Prepare
  const inv = inventory(synthStack('ebs-snapshot-lifecycle').json);
  const ref: MetricRef = {
    widget: 'w',
    via: 'metric',
    namespace: 'AWS/SQS',
    name: 'ApproximateNumberOfMessagesVisible',
    dimensions: { QueueName: '${var.name_prefix}-ecs-drain-failures' },
    anyValueOf: [],
  };

  // Act
  const problems = awsProblems(ref, inv);

  // Assess
  expect(problems).toEqual([expect.stringContaining('QueueName')]);
});

test('the check of AWS references can fail: a query over every Redshift cluster is refused', () => {
  // Prepare
  const inv = inventory(synthStack('redshift-resize').json);
  const ref: MetricRef = {
    widget: 'w',
    via: 'insights',
    namespace: 'AWS/Redshift',
    name: 'PercentageDiskSpaceUsed',
    dimensions: {},
    anyValueOf: ['ClusterIdentifier', 'NodeID'],
    stat: 'MAX',
  };

  // Act
  const problems = awsProblems(ref, inv);

  // Assess
  expect(problems).toEqual([expect.stringContaining('leaves ClusterIdentifier open')]);
});

test('the check of EMF references can fail: a metric with a dimension set the handler does not emit is refused', () => {
  // Prepare
  const inv = inventory(synthStack('capacity-reservations').json);
  const ref: MetricRef = {
    widget: 'w',
    via: 'metric',
    namespace: METRICS_NAMESPACE,
    name: 'CapacityGap',
    dimensions: { service: 'capacity-reservation-reserver' },
    anyValueOf: [],
  };

  // Act
  const problems = emfProblems(ref, inv);

  // Assess
  expect(problems).toEqual([expect.stringContaining('emits it with Pool, service')]);
});
