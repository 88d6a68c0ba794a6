import { applyBackend, backendFromEnv, workspaceName } from '../../stacks/backend';
import { synthStack } from '../support/synth';

describe('backend choice', () => {
  test('is local when TF_CLOUD_ORGANIZATION is unset', () => {
    expect(backendFromEnv({})).toEqual({ kind: 'local' });
  });

  test('is Terraform Cloud with prefix, hostname and project from the environment', () => {
    const env = {
      TF_CLOUD_ORGANIZATION: 'acme',
      TF_CLOUD_PROJECT: 'ops',
      TF_CLOUD_HOSTNAME: 'tfe.acme.io',
      OPS_AUTOPILOT_WORKSPACE_PREFIX: 'prod-',
    };
    expect(backendFromEnv(env)).toEqual({
      kind: 'cloud',
      organization: 'acme',
      hostname: 'tfe.acme.io',
      project: 'ops',
      workspacePrefix: 'prod-',
    });
  });

  test('can be forced local even when an organization is set', () => {
    expect(
      backendFromEnv({ TF_CLOUD_ORGANIZATION: 'acme', OPS_AUTOPILOT_BACKEND: 'local' }),
    ).toEqual({ kind: 'local' });
  });

  test('rejects a workspace name Terraform Cloud would refuse, showing it', () => {
    expect(() =>
      workspaceName(
        { kind: 'cloud', organization: 'a', hostname: 'h', workspacePrefix: 'bad prefix ' },
        'x',
      ),
    ).toThrow(/"bad prefix x"/);
  });

  test('is exported for stacks', () => {
    expect(typeof applyBackend).toBe('function');
  });
});

describe('synthesized backend', () => {
  test('local: a state path relative to the stack folder, no machine path', () => {
    const { json } = synthStack('ebs-snapshot-lifecycle');
    expect(json.terraform.backend).toEqual({
      local: { path: '../../../terraform.ebs-snapshot-lifecycle.tfstate' },
    });
  });

  test('cloud: one workspace per stack, named prefix + stack', () => {
    const { json } = synthStack('ebs-snapshot-lifecycle', {
      kind: 'cloud',
      organization: 'acme',
      hostname: 'app.terraform.io',
      project: 'ops',
      workspacePrefix: 'ops-autopilot-',
    });
    expect(json.terraform.cloud).toEqual({
      organization: 'acme',
      hostname: 'app.terraform.io',
      workspaces: { name: 'ops-autopilot-ebs-snapshot-lifecycle', project: 'ops' },
    });
    expect(json.terraform.backend).toBeUndefined();
  });
});
