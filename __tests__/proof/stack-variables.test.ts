import { parse } from '@cdktf/hcl2json';
import { TerraformVariable } from 'cdktf';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  proveStack,
  runBuiltApp,
  stackNames,
  synthAll,
  TFVARS_EXAMPLE,
  tfOnProvider,
  warningsIn,
  type StackProof,
} from '../../scripts/offline-proof';
import {
  readTfvars,
  STACK_TFVARS_FILE,
  StackVariablesError,
  valuesByStack,
} from '../../scripts/synth-steps';
import { declaredVariables } from '../../scripts/synth-steps/variables';
import { offlineEnv } from '../../scripts/terraform-env';
import { describeOffline, offlineTools } from '../support/offline';
import { synthStack, testStack } from '../support/synth';
import { STACK_NAMES } from '../support/variables-doc';

const example = readFileSync(TFVARS_EXAMPLE, 'utf8');
const declared = new Map(
  STACK_NAMES.map((name) => [name, declaredVariables(synthStack(name).stack)]),
);
const declaredBy = (name: string) =>
  (declared.get(name as (typeof STACK_NAMES)[number]) ?? []).map((v) => v.name);
const tfvarsFile = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'tfvars-')), 'terraform.tfvars');
  writeFileSync(file, text);
  return file;
};

describe('readTfvars', () => {
  test('reads terraform.tfvars.example to the values the HCL parser reads', async () => {
    // Act
    const [read, parsed] = await Promise.all([
      readTfvars(TFVARS_EXAMPLE),
      parse('terraform.tfvars', example),
    ]);

    // Assess
    expect(Object.keys(read).length).toBeGreaterThan(50);
    expect(read).toEqual(parsed);
  });

  test('reads HCL the line reader cannot (objects, multi-line lists, comments after a value)', async () => {
    // Prepare
    const file = tfvarsFile('tags = { team = "ops" }\nzones = [\n  "a",\n  "b",\n]\nx = 1 # one\n');

    // Act
    const values = await readTfvars(file);

    // Assess
    expect(values).toEqual({ tags: { team: 'ops' }, zones: ['a', 'b'], x: 1 });
  });
});

describe('valuesByStack', () => {
  test('gives each stack exactly the values of the variables it declares', async () => {
    // Prepare
    const values = await readTfvars(TFVARS_EXAMPLE);
    const stacks = STACK_NAMES.map((name) => ({ name, variables: declared.get(name) ?? [] }));

    // Act
    const byStack = valuesByStack(stacks, values, 'terraform.tfvars');

    // Assess
    for (const name of STACK_NAMES) {
      const own = byStack.get(name) ?? {};
      expect(Object.keys(own).sort()).toEqual(
        declaredBy(name)
          .filter((v) => Object.hasOwn(values, v))
          .sort(),
      );
      for (const [variable, value] of Object.entries(own)) expect(value).toEqual(values[variable]);
    }
    expect(Object.keys(byStack.get('ebs-snapshot-lifecycle') ?? {}).length).toBeLessThan(
      Object.keys(values).length / 4,
    );
  });

  test('refuses a value no stack declares, naming it', () => {
    // Prepare
    const stacks = [
      { name: 'ebs-snapshot-lifecycle', variables: [{ name: 'account_id', sensitive: false }] },
    ];

    // Act
    const act = () => valuesByStack(stacks, { acount_id: '123456789012' }, 'terraform.tfvars');

    // Assess
    expect(act).toThrow(StackVariablesError);
    expect(act).toThrow('terraform.tfvars sets acount_id, which no stack declares');
  });

  test('refuses the value of a sensitive variable and says to set TF_VAR_<name> instead', () => {
    // Prepare
    const { stack } = testStack();
    new TerraformVariable(stack, 'db_password', { type: 'string', sensitive: true });
    const stacks = [{ name: 'test-stack', variables: declaredVariables(stack) }];

    // Act
    const act = () => valuesByStack(stacks, { db_password: 'hunter2' }, 'terraform.tfvars');

    // Assess
    expect(act).toThrow('declared sensitive: set TF_VAR_db_password in the environment');
  });
});

describe('synth of the built app with terraform.tfvars', () => {
  let outdir: string;
  beforeAll(async () => {
    outdir = await synthAll(undefined, { OPS_AUTOPILOT_TFVARS: TFVARS_EXAMPLE });
  }, 60_000);

  const ownFile = (dir: string, stack: string) => join(dir, 'stacks', stack, STACK_TFVARS_FILE);

  test(`writes each stack ${STACK_TFVARS_FILE} with the values of exactly its own variables`, async () => {
    // Prepare
    const values = await readTfvars(TFVARS_EXAMPLE);

    // Act
    const written = stackNames(outdir).map((stack) => ({
      stack,
      declared: Object.keys(
        (
          JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as {
            variable: object;
          }
        ).variable,
      ),
      own: JSON.parse(readFileSync(ownFile(outdir, stack), 'utf8')) as Record<string, unknown>,
    }));

    // Assess
    expect(written.map((w) => w.stack).sort()).toEqual([...STACK_NAMES].sort());
    for (const { declared, own } of written) {
      expect(Object.keys(own).sort()).toEqual(declared.filter((v) => v in values).sort());
      for (const [name, value] of Object.entries(own)) expect(value).toEqual(values[name]);
    }
  });

  test('writes none without terraform.tfvars, and removes the one an earlier synth wrote', async () => {
    // Prepare
    const again = await synthAll(undefined, { OPS_AUTOPILOT_TFVARS: TFVARS_EXAMPLE });
    expect(existsSync(ownFile(again, 'redshift-resize'))).toBe(true);

    // Act
    await synthAll(again, { OPS_AUTOPILOT_TFVARS: '' });

    // Assess
    expect(STACK_NAMES.filter((s) => existsSync(ownFile(again, s)))).toEqual([]);
  }, 60_000);

  test('fails, naming the value, when terraform.tfvars sets a variable no stack declares', async () => {
    // Prepare
    const file = tfvarsFile(`${example}\nacount_id = "123456789012"\n`);

    // Act
    const failure = await runBuiltApp('main.js', mkdtempSync(join(tmpdir(), 'synth-')), {
      OPS_AUTOPILOT_BACKEND: 'local',
      OPS_AUTOPILOT_TFVARS: file,
    }).then(
      () => '',
      (e: { stderr?: string }) => String(e.stderr),
    );

    // Assess
    expect(failure).toContain('StackVariablesError');
    expect(failure).toContain('sets acount_id, which no stack declares');
  }, 60_000);

  describeOffline('terraform plan in a stack folder (offline)', () => {
    const STACK = 'ebs-snapshot-lifecycle';
    let proof: StackProof;
    beforeAll(async () => {
      proof = await proveStack(offlineTools!, outdir, STACK, null);
    }, 240_000);

    test('takes every value from the stack folder with zero warnings', async () => {
      // Assess
      const values = await readTfvars(TFVARS_EXAMPLE);
      expect(proof.planWarnings).toEqual([]);
      expect(proof.plan.variables.account_id?.value).toBe(values.account_id);
      expect(Object.keys(proof.plan.variables).sort()).toEqual(declaredBy(STACK).sort());
    });

    test('the warning check sees the warnings of the whole example passed as -var-file (it can fail)', async () => {
      // Act
      const stdout = await tfOnProvider(
        offlineTools!,
        proof.dir,
        offlineEnv(join(proof.dir, 'offline.tfrc')),
        [
          'plan',
          '-input=false',
          '-no-color',
          '-lock=false',
          '-refresh=false',
          `-var-file=${TFVARS_EXAMPLE}`,
        ],
      );

      // Assess
      const warnings = warningsIn(stdout);
      expect(warnings).toContain('Value for undeclared variable');
      expect(warnings.every((w) => /undeclared variable/.test(w))).toBe(true);
    }, 240_000);
  });
});
