import { jsonError, jsonReply, type AwsRequest, type Reply } from '../aws/wire';
import type { StandInModule } from './types';

const SERVICE = 'application-autoscaling';
const docs = (op: string) =>
  `https://docs.aws.amazon.com/autoscaling/application/APIReference/API_${op}.html`;
const targetKey = (p: Record<string, unknown>) =>
  `${String(p.ServiceNamespace)}|${String(p.ResourceId)}|${String(p.ScalableDimension)}`;

/**
 * Application Auto Scaling tags, which moto 5.2 lacks (ListTagsForResource answers 500; RegisterScalableTarget
 * drops its Tags). The provider reads a scalable target's tags after every create and read. Tags are kept per
 * target ARN from RegisterScalableTarget (moto's answer holds the ARN) and TagResource/UntagResource.
 */
export function appAutoScalingStandIns(): StandInModule {
  const tags = new Map<string, Record<string, string>>();
  const arnByTarget = new Map<string, string>();
  const unknown = (arn: string) =>
    jsonError(400, 'ResourceNotFoundException', `No scalable target found for ${arn}`);
  const known = (req: AwsRequest): string | undefined => {
    const arn = String(req.params.ResourceARN ?? '');
    return tags.has(arn) ? arn : undefined;
  };
  return {
    standIns: [
      {
        service: SERVICE,
        operation: 'ListTagsForResource',
        docs: docs('ListTagsForResource'),
        handle(req) {
          const arn = known(req);
          if (!arn) return Promise.resolve(unknown(String(req.params.ResourceARN)));
          return Promise.resolve(jsonReply({ Tags: tags.get(arn) }, '1.1'));
        },
      },
      {
        service: SERVICE,
        operation: 'TagResource',
        docs: docs('TagResource'),
        handle(req) {
          const arn = known(req);
          if (!arn) return Promise.resolve(unknown(String(req.params.ResourceARN)));
          Object.assign(tags.get(arn)!, req.params.Tags as Record<string, string>);
          return Promise.resolve(jsonReply({}, '1.1'));
        },
      },
      {
        service: SERVICE,
        operation: 'UntagResource',
        docs: docs('UntagResource'),
        handle(req) {
          const arn = known(req);
          if (!arn) return Promise.resolve(unknown(String(req.params.ResourceARN)));
          for (const k of (req.params.TagKeys as string[] | undefined) ?? [])
            delete tags.get(arn)![k];
          return Promise.resolve(jsonReply({}, '1.1'));
        },
      },
    ],
    fixUps: [
      {
        service: SERVICE,
        operation: 'RegisterScalableTarget',
        docs: docs('RegisterScalableTarget'),
        fix(req: AwsRequest, reply: Reply) {
          if (reply.status !== 200) return reply;
          const arn = String(
            (JSON.parse(reply.body) as { ScalableTargetARN?: string }).ScalableTargetARN,
          );
          const sent = (req.params.Tags as Record<string, string> | undefined) ?? {};
          tags.set(arn, { ...tags.get(arn), ...sent });
          arnByTarget.set(targetKey(req.params), arn);
          return reply;
        },
      },
      {
        service: SERVICE,
        operation: 'DeregisterScalableTarget',
        docs: docs('DeregisterScalableTarget'),
        fix(req: AwsRequest, reply: Reply) {
          const arn = arnByTarget.get(targetKey(req.params));
          if (reply.status === 200 && arn) {
            tags.delete(arn);
            arnByTarget.delete(targetKey(req.params));
          }
          return reply;
        },
      },
    ],
  };
}
