import { substituteTf } from '../../scripts/tf-values';

const VARS = {
  region: 'us-east-1',
  account_id: '123456789012',
  tasks: ['arn:aws:dms:us-east-1:123456789012:task:A', 'arn:aws:dms:us-east-1:123456789012:task:B'],
  empty: [],
  endpoint: '',
  count: 3,
  flag: true,
};
const DEFAULTS = { name_prefix: { default: 'ops-autopilot' }, required: {} };
const sub = (text: string, vars: Record<string, unknown> = VARS) =>
  substituteTf(text, vars, DEFAULTS, 'aws');

describe('substituteTf: plain references (unchanged behaviour)', () => {
  test('replaces variables, defaults and the partition lookup in running text', () => {
    expect(
      sub(
        'arn:${data.aws_partition.partition.partition}:sns:${var.region}:${var.account_id}:${var.name_prefix}-x',
      ),
    ).toBe('arn:aws:sns:us-east-1:123456789012:ops-autopilot-x');
  });

  test('renders a whole variable with String(), as before', () => {
    expect(sub('${var.count}/${var.flag}')).toBe('3/true');
  });

  test('fails on a variable with no value', () => {
    expect(() => sub('${var.required}')).toThrow('no value for ${var.required}');
  });

  test('fails on a reference known only after apply', () => {
    expect(() => sub('${aws_sns_topic.alerts.arn}')).toThrow(
      '${aws_sns_topic.alerts.arn} is only known after apply',
    );
  });

  test('leaves text without interpolations alone, including lone braces and "$"', () => {
    expect(sub('{"a":"$.x","b":"{}"}')).toBe('{"a":"$.x","b":"{}"}');
  });
});

describe('substituteTf: expressions over variables', () => {
  const SPLICE =
    '{"Resource":${jsonencode(length(var.tasks) > 0 ? var.tasks : ["arn:${data.aws_partition.partition.partition}:dms:${var.region}:${var.account_id}:task:*"])}}';

  test('splices a non-empty list variable as JSON', () => {
    expect(JSON.parse(sub(SPLICE))).toEqual({ Resource: VARS.tasks });
  });

  test('takes the other branch, with its nested templates, for an empty list', () => {
    expect(JSON.parse(sub(SPLICE, { ...VARS, tasks: [] }))).toEqual({
      Resource: ['arn:aws:dms:us-east-1:123456789012:task:*'],
    });
  });

  test('jsonencode of a list variable, as in an environment value', () => {
    expect(sub('${jsonencode(var.tasks)}')).toBe(JSON.stringify(VARS.tasks));
    expect(sub('${jsonencode(var.empty)}')).toBe('[]');
  });

  test('jsonencode escapes <, > and & as Terraform does', () => {
    expect(sub('${jsonencode("a<b>&c")}')).toBe('"a\\u003cb\\u003e\\u0026c"');
  });

  test('comparisons, logic and string escapes', () => {
    expect(sub('${(length(var.empty) > 0) != (var.endpoint != "")}')).toBe('false');
    expect(sub('${var.count >= 3 && !var.flag || var.region == "us-east-1"}')).toBe('true');
    expect(sub('${var.endpoint == "" ? "say \\"none\\"" : var.endpoint}')).toBe('say "none"');
  });

  test('refuses to interpolate a list into text', () => {
    expect(() => sub('x${var.empty == [] ? var.tasks : var.tasks}')).toThrow(
      'cannot be interpolated',
    );
  });

  test('refuses functions and syntax outside its subset rather than guessing', () => {
    expect(() => sub('${upper(var.region)}')).toThrow('function upper() is not supported');
    expect(() => sub('${var.count - 1}')).toThrow('unsupported Terraform expression');
    expect(() => sub('${var.count % 2}')).toThrow('unsupported Terraform expression');
    expect(() => sub('${floor(var.count)}')).toThrow('function floor() is not supported');
    expect(() => sub('${{a = 1}}')).toThrow('unsupported Terraform expression');
  });

  test('arithmetic: * and / bind tighter than +, parentheses group', () => {
    expect(sub('${var.count + 2 * 3}')).toBe('9');
    expect(sub('${(var.count + 2) * 3}')).toBe('15');
    expect(sub('${ceil((var.count + 1) * 6 / 5) + 900}')).toBe('905');
  });

  test('ceil and max compute a poll bound from a timeout variable, as a JSON number', () => {
    const template =
      '{"MaxAttempts":${max(1, ceil(var.timeout / 30))},"Msg":"within ${var.timeout} s"}';
    expect(JSON.parse(sub(template, { ...VARS, timeout: 900 }))).toEqual({
      MaxAttempts: 30,
      Msg: 'within 900 s',
    });
    expect(JSON.parse(sub(template, { ...VARS, timeout: 61 }))).toEqual({
      MaxAttempts: 3,
      Msg: 'within 61 s',
    });
    expect(sub('${max(172800, var.count)}')).toBe('172800');
  });

  test('arithmetic refuses non-numbers and division by zero', () => {
    expect(() => sub('${var.region + 1}')).toThrow('"us-east-1" is not a number');
    expect(() => sub('${var.count / 0}')).toThrow('division by zero');
    expect(() => sub('${ceil("x")}')).toThrow('"x" is not a number');
  });

  test('a reference known only after apply inside an expression is still an error', () => {
    expect(() => sub('${jsonencode([aws_lambda_function.f.arn])}')).toThrow(
      'is only known after apply',
    );
  });

  test('formatlist names one ARN per listed item, concat puts lists together', () => {
    const regions = { ...VARS, regions: ['eu-west-1', 'ap-south-1'] };
    const template =
      '${jsonencode(concat(["arn:${data.aws_partition.partition.partition}:ec2:${var.region}::snapshot/*"], formatlist("arn:aws:ec2:%s::snapshot/*", var.regions)))}';
    expect(JSON.parse(sub(template, regions))).toEqual([
      'arn:aws:ec2:us-east-1::snapshot/*',
      'arn:aws:ec2:eu-west-1::snapshot/*',
      'arn:aws:ec2:ap-south-1::snapshot/*',
    ]);
    expect(JSON.parse(sub('${jsonencode(formatlist("ec2.%s.amazonaws.com", var.empty))}'))).toEqual(
      [],
    );
  });

  test('formatlist refuses verbs other than %s and lists of different lengths', () => {
    expect(() => sub('${formatlist("%d", var.tasks)}')).toThrow('%s verbs only');
    expect(() => sub('${formatlist("%s%s", var.tasks, ["a"])}')).toThrow('differ in length');
    expect(() => sub('${concat(var.tasks, "x")}')).toThrow('is not a list');
  });
});
