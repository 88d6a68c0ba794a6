import { TerraformStack, Testing } from 'cdktf';
import {
  applyBackend,
  backendFromEnv,
  parseWorkspaceTags,
  workspaceName,
  workspaceTags,
  type CloudChoice,
} from '../../stacks/platform/backend';
import { synthStack } from '../support/synth';

const CLOUD: CloudChoice = {
  kind: 'cloud',
  organization: 'acme',
  hostname: 'app.terraform.io',
  project: 'ops',
  workspacePrefix: 'ops-autopilot-',
};

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

  test('applied to any stack, writes one cloud workspace named prefix + stack', () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), 'plain');

    // Act
    applyBackend(stack, 'plain', {
      kind: 'cloud',
      organization: 'acme',
      hostname: 'h',
      workspacePrefix: 'p-',
    });

    // Assess
    expect(JSON.parse(Testing.synth(stack)).terraform.cloud).toEqual({
      organization: 'acme',
      hostname: 'h',
      workspaces: { name: 'p-plain' },
    });
  });
});

describe('workspace tags (OPS_AUTOPILOT_WORKSPACE_TAGS)', () => {
  test('select workspaces by tags when set, trimmed, in order, without duplicates', () => {
    // Prepare
    const env = {
      TF_CLOUD_ORGANIZATION: 'acme',
      OPS_AUTOPILOT_WORKSPACE_TAGS: ' ops-autopilot , env:prod,ops-autopilot',
    };

    // Act
    const choice = backendFromEnv(env);

    // Assess
    expect(choice).toEqual({
      kind: 'cloud',
      organization: 'acme',
      hostname: 'app.terraform.io',
      workspacePrefix: 'ops-autopilot-',
      workspaceTags: ['ops-autopilot', 'env:prod'],
    });
  });

  test('holding no tag (only commas and blanks) keeps named workspaces', () => {
    expect(parseWorkspaceTags(' , ,')).toBeUndefined();
  });

  test('reject a tag Terraform Cloud would refuse, showing it', () => {
    expect(() => parseWorkspaceTags('ops-autopilot,env prod')).toThrow(/"env prod"/);
  });

  test('reject the reserved stack: tag, which every stack adds itself', () => {
    expect(() => parseWorkspaceTags('stack:ecs-spot-api')).toThrow(
      /"stack:ecs-spot-api" is reserved/,
    );
  });

  test('of two stacks differ, so no stack can select the workspace of another', () => {
    // Prepare
    const choice: CloudChoice = { ...CLOUD, workspaceTags: ['ops-autopilot'] };

    // Act
    const a = workspaceTags(choice, 'ebs-snapshot-lifecycle');
    const b = workspaceTags(choice, 'redshift-resize');

    // Assess
    expect(a).toEqual(['ops-autopilot', 'stack:ebs-snapshot-lifecycle']);
    expect(b).toEqual(['ops-autopilot', 'stack:redshift-resize']);
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
    const { json } = synthStack('ebs-snapshot-lifecycle', CLOUD);
    expect(json.terraform.cloud).toEqual({
      organization: 'acme',
      hostname: 'app.terraform.io',
      workspaces: { name: 'ops-autopilot-ebs-snapshot-lifecycle', project: 'ops' },
    });
    expect(json.terraform.backend).toBeUndefined();
  });

  test('cloud with tags: the shared tags plus stack:<name>, and no workspace name', () => {
    // Prepare
    const choice: CloudChoice = { ...CLOUD, workspaceTags: ['ops-autopilot', 'env:prod'] };

    // Act
    const { json } = synthStack('ebs-snapshot-lifecycle', choice);

    // Assess
    expect(json.terraform.cloud).toEqual({
      organization: 'acme',
      hostname: 'app.terraform.io',
      workspaces: {
        tags: ['ops-autopilot', 'env:prod', 'stack:ebs-snapshot-lifecycle'],
        project: 'ops',
      },
    });
    expect(json.terraform.backend).toBeUndefined();
  });
});
