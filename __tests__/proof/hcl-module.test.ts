import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  stackNames,
  sharedSynth,
  type PlanJson,
  type StackProof,
} from '../../scripts/offline-proof';
import { proveCallingModule, synthHcl } from '../../scripts/hcl-proof';
import { substituteTf } from '../../scripts/tf-values';
import { describeOffline, offlineTools } from '../support/offline';

const FIXTURE = join(__dirname, 'fixtures', 'hcl-module');

interface PlannedResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  values: Record<string, unknown>;
}
interface ModulePlan extends PlanJson {
  planned_values: PlanJson['planned_values'] & {
    outputs: Record<string, { value?: unknown }>;
    root_module: { child_modules?: Array<{ address: string; resources: PlannedResource[] }> };
  };
  configuration: {
    root_module: {
      outputs: Record<string, { expression: { references?: string[] } }>;
      module_calls: Record<
        string,
        {
          source: string;
          module: {
            outputs: Record<string, unknown>;
            variables: Record<string, { default?: unknown }>;
          };
        }
      >;
    };
  };
}

/** Module name the fixture gives each stack. */
const moduleName = (stack: string) => stack.replace(/-/g, '_');

describeOffline('the HCL modules called from a root module: init, validate, plan (offline)', () => {
  let outdir: string;
  let stacks: string[];
  let json: Record<
    string,
    {
      resource: Record<string, Record<string, Record<string, unknown>>>;
      output?: object;
      variable: Record<string, { default?: unknown }>;
    }
  >;
  let proof: StackProof;
  let plan: ModulePlan;
  let mismatch: unknown;

  beforeAll(async () => {
    const [hclOut, jsonOut] = await Promise.all([synthHcl(), sharedSynth()]);
    outdir = hclOut;
    stacks = stackNames(jsonOut);
    json = Object.fromEntries(
      stacks.map((s) => [
        s,
        JSON.parse(readFileSync(join(jsonOut, 'stacks', s, 'cdk.tf.json'), 'utf8')),
      ]),
    );
    // One plan covers every stack; the region-mismatch root only has to fail, in parallel.
    [proof, mismatch] = await Promise.all([
      proveCallingModule(
        offlineTools!,
        outdir,
        join(FIXTURE, 'root'),
        'hcl-module',
        join(FIXTURE, 'root', 'offline.tfvars'),
      ),
      proveCallingModule(
        offlineTools!,
        outdir,
        join(FIXTURE, 'region-mismatch'),
        'hcl-region-mismatch',
        join(FIXTURE, 'region-mismatch', 'offline.tfvars'),
      ).then(
        () => undefined,
        (error: unknown) => error,
      ),
    ]);
    plan = proof.plan as ModulePlan;
  }, 300_000);

  const child = (stack: string) =>
    plan.planned_values.root_module.child_modules?.find(
      (m) => m.address === `module.${moduleName(stack)}`,
    );

  test('terraform validate reports the calling root valid, without warnings', () => {
    expect(proof.validate).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test('the fixture calls every stack of the app, each from its synthesized folder', () => {
    const calls = plan.configuration.root_module.module_calls;
    expect(Object.keys(calls).sort()).toEqual(stacks.map(moduleName).sort());
    for (const stack of stacks) expect(calls[moduleName(stack)]?.source).toBe(`../${stack}`);
  });

  test('each module plans exactly the resources its stack declares, under module.<name>', () => {
    for (const stack of stacks) {
      const planned = child(stack)?.resources.filter((r) => r.mode === 'managed') ?? [];
      expect(planned.length).toBeGreaterThan(0);
      for (const r of planned)
        expect(r.address.startsWith(`module.${moduleName(stack)}.`)).toBe(true);
      const declared = Object.entries(json[stack]!.resource).flatMap(([type, byName]) =>
        Object.entries(byName).map(([name, body]) => ({
          id: `${type}.${name}`,
          conditional: 'count' in body || 'for_each' in body,
        })),
      );
      const plannedIds = new Set(planned.map((r) => `${r.type}.${r.name}`));
      // Everything planned is declared by the JSON stack; everything unconditional there is planned.
      expect([...plannedIds].filter((id) => !declared.some((d) => d.id === id))).toEqual([]);
      expect(
        declared.filter((d) => !d.conditional && !plannedIds.has(d.id)).map((d) => d.id),
      ).toEqual([]);
    }
  });

  test('each module exposes the outputs and variables (with defaults) of its stack', () => {
    for (const stack of stacks) {
      const call = plan.configuration.root_module.module_calls[moduleName(stack)]!;
      expect(Object.keys(call.module.outputs).sort()).toEqual(
        Object.keys(json[stack]!.output ?? {}).sort(),
      );
      const defaults = (vars: Record<string, { default?: unknown }>) =>
        Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.default]));
      expect(defaults(call.module.variables)).toEqual(defaults(json[stack]!.variable));
    }
  });

  test('variables go in: the root name prefix and a module argument reach the planned resources', () => {
    const ebs = child('ebs-snapshot-lifecycle')!.resources;
    const table = ebs.find((r) => r.type === 'aws_dynamodb_table');
    expect(table?.values.name).toBe('acme-ops-ebs-snapshots');
    expect(table?.values.point_in_time_recovery).toEqual([{ enabled: true }]);
    const create = ebs.find(
      (r) =>
        r.type === 'aws_lambda_function' &&
        r.values.function_name === 'acme-ops-ebs-snapshot-create',
    );
    expect(
      (create?.values.environment as Array<{ variables: Record<string, string> }>)[0]?.variables
        .DEFAULT_RETENTION_DAYS,
    ).toBe('14');
  });

  test('outputs come out: root outputs reference module outputs and plan to their values', () => {
    const outputs = plan.configuration.root_module.outputs;
    expect(outputs.ebs_snapshot_table_name?.expression.references).toContain(
      'module.ebs_snapshot_lifecycle.snapshot_table_name',
    );
    expect(outputs.alerts_topic_arns?.expression.references).toEqual(
      expect.arrayContaining([
        'module.redshift_resize.topic_arn',
        'module.capacity_reservations.alerts_topic_arn',
      ]),
    );
    const values = Object.fromEntries(
      Object.entries(plan.planned_values.outputs).map(([k, v]) => [k, v.value]),
    );
    expect(values).toMatchObject({
      ebs_snapshot_table_name: 'acme-ops-ebs-snapshots',
      capacity_reserver_function_name: child('capacity-reservations')!.resources.find(
        (r) => r.type === 'aws_lambda_function',
      )?.values.function_name,
      ecs_spot_api_cluster_name: child('ecs-spot-api')!.resources.find(
        (r) => r.type === 'aws_ecs_cluster',
      )?.values.name,
      ecs_drain_auto_scaling_group_name: 'acme-ops-ecs-asg',
      // An expression over the phase timeout variables, which the module call leaves at their defaults.
      redshift_max_replication_pause_seconds: Number(
        substituteTf(
          String(
            (json['redshift-resize']!.output as Record<string, { value: unknown }>)
              .max_replication_pause_seconds?.value,
          ),
          {},
          json['redshift-resize']!.variable,
        ),
      ),
    });
    expect(values.capacity_reserver_function_name).toBe('acme-ops-capacity-reservation-reserver');
  });

  test('handler zips resolve inside each module folder (path.module), relative to the root', () => {
    let fns = 0;
    for (const stack of stacks) {
      for (const fn of child(stack)!.resources.filter((r) => r.type === 'aws_lambda_function')) {
        expect(String(fn.values.filename)).toMatch(new RegExp(`^\\.\\./${stack}/assets/.+\\.zip$`));
        expect(existsSync(join(proof.dir, String(fn.values.filename)))).toBe(true);
        fns++;
      }
    }
    expect(fns).toBeGreaterThanOrEqual(8);
  });

  test('IAM policies are fully known at plan time, in this account and partition', () => {
    const policies = stacks.flatMap((s) =>
      child(s)!.resources.filter((r) => r.type === 'aws_iam_role_policy'),
    );
    expect(policies.length).toBeGreaterThanOrEqual(8);
    for (const p of policies) {
      const doc = JSON.parse(String(p.values.policy)) as { Statement: unknown[] };
      expect(doc.Statement.length).toBeGreaterThan(0);
      expect(JSON.stringify(doc)).not.toContain('${');
    }
    expect(JSON.stringify(policies.map((p) => p.values.policy))).toContain('arn:aws:');
  });

  test('the state machine definition was validated through the Step Functions stub while planning', () => {
    expect(proof.sfnValidations.length).toBeGreaterThanOrEqual(1);
    const definition = JSON.parse(proof.sfnValidations[0]!.definition) as { StartAt: string };
    expect(definition.StartAt).toEqual(expect.any(String));
    expect(proof.sfnValidations[0]!.definition).toContain('acme-ops-redshift-resize');
  });

  test("a provider whose region differs from the module's var.region fails the plan, naming both", () => {
    expect(String(mismatch)).toContain('Resource postcondition failed');
    expect(String(mismatch)).toMatch(
      /configured for region\s+eu-west-1,\s+but var\.region is us-east-1/,
    );
  });
});
