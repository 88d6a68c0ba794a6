import { STACKS, type StackName } from '../../stacks/app';
import { WORLD } from '../support/deployment';
import { synthStack } from '../support/synth';
import { readTfvarsExample } from '../support/tfvars';

const example = readTfvarsExample();
const declared = new Map<string, unknown>();
for (const name of Object.keys(STACKS) as StackName[]) {
  for (const [variable, spec] of Object.entries(synthStack(name).json.variable))
    declared.set(variable, spec.default);
}

describe('terraform.tfvars.example', () => {
  test('sets exactly the variables the stacks declare', () => {
    expect(Object.keys(example).sort()).toEqual([...declared.keys()].sort());
  });

  test('gives every variable that has a default that default', () => {
    const differing = [...declared].filter(
      ([name, def]) => def !== undefined && JSON.stringify(example[name]) !== JSON.stringify(def),
    );
    expect(differing).toEqual([]);
  });

  test('documents every variable with a comment line above it', () => {
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const lines = readFileSync(require.resolve('../../terraform.tfvars.example'), 'utf8').split(
      '\n',
    );
    const undocumented = lines.flatMap((line, i) =>
      /^[a-z_]+\s*=/.test(line) && !lines[i - 1]?.startsWith('#') ? [line] : [],
    );
    expect(undocumented).toEqual([]);
  });

  test('is the deployment the handler tests and IAM proof assume', () => {
    expect({
      region: example.region,
      account_id: example.account_id,
      name_prefix: example.name_prefix,
    }).toEqual({
      region: WORLD.region,
      account_id: WORLD.account,
      name_prefix: WORLD.namePrefix,
    });
  });
});
