import { spliceResources } from '../../stacks/platform/policy-splice';

describe('spliceResources', () => {
  test('replaces the quoted placeholder with the expression', () => {
    // Act
    const spliced = spliceResources('{"Resource":"X"}', 'X', 'jsonencode(var.a)');

    // Assess
    expect(spliced).toBe('{"Resource":${jsonencode(var.a)}}');
  });

  test.each([
    ['missing', '{"Resource":"Y"}'],
    ['twice', '{"Resource":"X","Other":"X"}'],
  ])('refuses a placeholder that is %s', (_what, policy) => {
    // Act
    const splice = () => spliceResources(policy, 'X', 'e');

    // Assess
    expect(splice).toThrow('exactly once');
  });
});
