import { NODE_TYPE_LIMITS } from '../../../functions/redshift-resize/node-types';

// Pure table: no SDK client, nothing to record for the IAM proof.
// The documented limits, as read in the Management Guide's node type table and its footnotes
// (working-with-clusters.html#rs-node-type-info) and elastic resize's ceiling on additional nodes
// (managing-cluster-operations.html#elastic-resize).
const DOCUMENTED = {
  'dc2.large': { minNodes: 1, classicMaxNodes: 32, maxNodes: 32, elasticMaxFactor: 2 },
  'dc2.8xlarge': { minNodes: 2, classicMaxNodes: 128, maxNodes: 128, elasticMaxFactor: 2 },
  'ra3.xlplus': { minNodes: 1, classicMaxNodes: 16, maxNodes: 32, elasticMaxFactor: 2 },
  'ra3.4xlarge': { minNodes: 2, classicMaxNodes: 32, maxNodes: 64, elasticMaxFactor: 4 },
  'ra3.16xlarge': { minNodes: 2, classicMaxNodes: 128, maxNodes: 128, elasticMaxFactor: 4 },
} as const;

describe('node limit table', () => {
  test.each(Object.entries(DOCUMENTED))('%s has the documented limits', (nodeType, limits) => {
    // Act
    const table = NODE_TYPE_LIMITS[nodeType];

    // Assess
    expect(table).toMatchObject({ ...limits, elasticResize: true });
  });

  test('ra3.large never grows past 16 nodes, the cautious reading while its row is unverified', () => {
    // Act
    const table = NODE_TYPE_LIMITS['ra3.large'];

    // Assess
    expect(table).toMatchObject({ classicMaxNodes: 16, maxNodes: 16, elasticMaxFactor: 2 });
  });
});
