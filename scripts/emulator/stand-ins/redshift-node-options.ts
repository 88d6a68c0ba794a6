/**
 * DescribeNodeConfigurationOptions as documented, for the stand-in and the handler tests' fake
 * (https://docs.aws.amazon.com/redshift/latest/APIReference/API_DescribeNodeConfigurationOptions.html,
 * https://docs.aws.amazon.com/redshift/latest/APIReference/API_NodeConfigurationOptionsFilter.html):
 * ActionType restore-cluster | recommend-node-config | resize-cluster; MaxRecords 100-500, default 500;
 * Filters by NodeType | NumberOfNodes | EstimatedDiskUtilizationPercent | Mode with eq | lt | gt | le | ge |
 * in | between; a Marker while more remain. `pageSize` may answer fewer than MaxRecords.
 */
export interface NodeOption {
  readonly NodeType?: string;
  readonly NumberOfNodes?: number;
  readonly EstimatedDiskUtilizationPercent?: number;
  readonly Mode?: string;
}

export interface NodeOptionsRequest {
  readonly ActionType?: string;
  readonly MaxRecords?: number;
  readonly Marker?: string;
  readonly Filters?: readonly {
    readonly Name?: string;
    readonly Operator?: string;
    readonly Values?: readonly string[];
  }[];
}

export const NODE_OPTION_ACTIONS = ['restore-cluster', 'recommend-node-config', 'resize-cluster'];

/** The page of `all` the request asks for, or the InvalidParameterValue message. */
export function pageNodeOptions<T extends NodeOption>(
  req: NodeOptionsRequest,
  all: readonly T[],
  pageSize = 500,
): { readonly options: T[]; readonly marker?: string } | { readonly invalid: string } {
  if (!NODE_OPTION_ACTIONS.includes(String(req.ActionType))) {
    return {
      invalid: `ActionType ${String(req.ActionType)} is not one of ${NODE_OPTION_ACTIONS.join(', ')}`,
    };
  }
  const max = req.MaxRecords ?? 500;
  if (!Number.isInteger(max) || max < 100 || max > 500) {
    return { invalid: `MaxRecords ${max} must be between 100 and 500` };
  }
  let matching: T[];
  try {
    matching = all.filter((o) => (req.Filters ?? []).every((f) => matches(o, f)));
  } catch (error) {
    return { invalid: (error as Error).message };
  }
  const start = req.Marker ? Number(req.Marker) : 0;
  const size = Math.min(max, pageSize);
  const next = start + size < matching.length ? String(start + size) : undefined;
  return { options: matching.slice(start, start + size), ...(next ? { marker: next } : {}) };
}

function matches(option: NodeOption, filter: NonNullable<NodeOptionsRequest['Filters']>[number]) {
  const value = option[filter.Name as keyof NodeOption];
  const values = filter.Values ?? [];
  if (value === undefined) return false;
  if (typeof value === 'string') {
    if (filter.Operator === 'eq') return value === values[0];
    if (filter.Operator === 'in') return values.includes(value);
    throw new Error(`operator ${String(filter.Operator)} does not apply to ${String(filter.Name)}`);
  }
  const [a = NaN, b = NaN] = values.map(Number);
  switch (filter.Operator) {
    case 'eq':
      return value === a;
    case 'lt':
      return value < a;
    case 'gt':
      return value > a;
    case 'le':
      return value <= a;
    case 'ge':
      return value >= a;
    case 'in':
      return values.map(Number).includes(value);
    case 'between':
      return value >= a && value <= b;
    default:
      throw new Error(`unknown operator ${String(filter.Operator)}`);
  }
}
