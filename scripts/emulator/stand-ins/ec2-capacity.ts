import { answerEc2Query } from '../../../__tests__/capacity-reservations/fixtures/ec2-http';
import { Ec2World } from '../../../__tests__/capacity-reservations/fixtures/ec2-world';
import type { Reply } from '../aws/wire';
import type { StandIn, StandInModule } from './types';

const OPERATIONS = [
  'CreateCapacityReservation',
  'DescribeCapacityReservations',
  'ModifyCapacityReservation',
  'CancelCapacityReservation',
] as const;

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/**
 * EC2 On-Demand Capacity Reservations, which moto 5.2 does not implement (InvalidAction). Answered from the
 * same in-memory model the reserver's handler tests use (Ec2World: ClientToken idempotency,
 * IdempotentParameterMismatch, the documented states, filters, pagination), so the deployed reserver and
 * its tests see one EC2. Hooks under /_stand-ins/ec2/capacity-reservations play what EC2 does on its own:
 * `GET` lists every reservation; `POST …/insufficient-capacity {instanceType, availabilityZone}` makes that
 * pool answer InsufficientInstanceCapacity; `POST …/expire {id}` and `POST …/cancel {id}` end one.
 */
export function ec2CapacityStandIns(world = new Ec2World()): StandInModule {
  const standIns: StandIn[] = OPERATIONS.map((operation) => ({
    service: 'ec2',
    operation,
    docs: `https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_${operation}.html`,
    handle(req) {
      const { status, xml } = answerEc2Query(world, req.body.toString('utf8'));
      return Promise.resolve({
        status,
        headers: { 'content-type': 'text/xml;charset=UTF-8' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`,
      });
    },
  }));
  return {
    standIns,
    fixUps: [],
    control(method, path, body) {
      const base = '/_stand-ins/ec2/capacity-reservations';
      if (!path.startsWith(base)) return Promise.resolve(undefined);
      const input = (body ?? {}) as Record<string, string>;
      const action = path.slice(base.length);
      if (method === 'GET' && action === '') return Promise.resolve(json(200, world.all()));
      if (method !== 'POST') return Promise.resolve(undefined);
      if (action === '/insufficient-capacity') {
        world.insufficientCapacity.add(`${input.instanceType}/${input.availabilityZone}`);
        return Promise.resolve(json(200, { pools: [...world.insufficientCapacity] }));
      }
      if (action === '/expire' || action === '/cancel') {
        if (!input.id || !world.get(input.id)) {
          return Promise.resolve(json(404, { message: `no reservation ${input.id}` }));
        }
        if (action === '/expire') world.expire(input.id);
        else world.cancelOutOfBand(input.id);
        return Promise.resolve(json(200, world.get(input.id)));
      }
      return Promise.resolve(undefined);
    },
  };
}
