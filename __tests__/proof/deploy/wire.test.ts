import { parseRequest, unflatten, type RestRoute } from '../../../scripts/emulator/aws/wire';
import {
  find,
  parseXml,
  serializeXml,
  textOf,
  toXml,
  XmlList,
} from '../../../scripts/emulator/aws/xml';

const sigv4 = (service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
});

describe('XML of the query protocols', () => {
  test('reads nested elements, entities and self-closing elements', () => {
    const root = parseXml(
      '<?xml version="1.0"?><R xmlns="urn:x"><A><B>1 &amp; 2 &lt;3&gt;</B><C/></A><!-- note --></R>',
    );
    expect(textOf(root, 'B')).toBe('1 & 2 <3>');
    expect(find(root, 'C')?.children).toEqual([]);
  });

  test('writes back what it read, attributes included', () => {
    const xml = '<R xmlns="urn:x"><A><B>x &amp; y</B></A></R>';
    expect(serializeXml(parseXml(xml))).toBe(xml);
  });

  test('refuses a document whose elements do not close', () => {
    expect(() => parseXml('<R><A></R>')).toThrow(/<\/R> closes <A>/);
  });

  test('serializes lists as EC2 items, query members or named items, leaving out undefined', () => {
    expect(toXml({ set: ['a', 'b'], skip: undefined }, 'item')).toBe(
      '<set><item>a</item><item>b</item></set>',
    );
    expect(toXml({ Events: new XmlList('Event', [{ Id: 1 }]) }, 'member')).toBe(
      '<Events><Event><Id>1</Id></Event></Events>',
    );
  });
});

describe('reading an incoming AWS request', () => {
  const routes: RestRoute[] = [
    { service: 'lambda', operation: 'GetThing', method: 'GET', path: /^\/things\/(?<name>[^/]+)$/ },
  ];

  test('query protocol: the Action and the fields, lists nested from their 1-based numbers', () => {
    const body = Buffer.from(
      'Action=DescribeX&Filter.1.Name=tag%3Aa&Filter.1.Value.1=v&Tags.member.2.Key=k',
    );
    const req = parseRequest(
      'POST',
      '/',
      { ...sigv4('ec2'), 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
      routes,
    );
    expect(req).toMatchObject({
      service: 'ec2',
      region: 'us-east-1',
      protocol: 'query',
      operation: 'DescribeX',
    });
    expect(req.params).toEqual({
      Action: 'DescribeX',
      Filter: [{ Name: 'tag:a', Value: ['v'] }],
      Tags: [{ Key: 'k' }],
    });
  });

  test('JSON protocol: the operation from X-Amz-Target, the parsed body', () => {
    const req = parseRequest(
      'POST',
      '/',
      { ...sigv4('states'), 'x-amz-target': 'AWSStepFunctions.ValidateStateMachineDefinition' },
      Buffer.from('{"definition":"{}"}'),
      routes,
    );
    expect(req).toMatchObject({ protocol: 'json', operation: 'ValidateStateMachineDefinition' });
    expect(req.params).toEqual({ definition: '{}' });
  });

  test('REST protocol: the route of the signing service, or no operation', () => {
    const known = parseRequest(
      'GET',
      '/things/a%3Ab?x=1',
      sigv4('lambda'),
      Buffer.alloc(0),
      routes,
    );
    const otherService = parseRequest('GET', '/things/a', sigv4('s3'), Buffer.alloc(0), routes);
    expect(known).toMatchObject({ protocol: 'rest', operation: 'GetThing', path: '/things/a%3Ab' });
    expect(otherService.operation).toBe('');
  });

  test('unflatten keeps a lone field and numbers without gaps', () => {
    expect(unflatten(new URLSearchParams('A=1&L.2=b&L.1=a'))).toEqual({ A: '1', L: ['a', 'b'] });
  });
});
