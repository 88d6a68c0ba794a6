import { EcrPullThroughCacheRule } from '@cdktf/provider-aws/lib/ecr-pull-through-cache-rule';
import { conditional, Fn, Op, ref, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { OpsStack } from '../platform/ops-stack';

/** ECR Public: the registry the default image comes from. */
export const ECR_PUBLIC = 'public.ecr.aws';
/** ECR limits a pull through cache rule's repository prefix to 2-30 characters. */
const MAX_PREFIX = 30;

export interface EcsImageSourceProps {
  /** The image as configured (a variable). */
  readonly image: string;
  /** Suffix of the cache's repository prefix (`<name_prefix>-<name>`). */
  readonly name: string;
}

/**
 * Where the instances pull the service's image from, so that the defaults deploy without a NAT gateway.
 *
 * Interface endpoints do not reach ECR Public, and AWS's answer is a pull through cache rule: the image is
 * served from this account's ECR in this region, under `<prefix>/`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html). An image on ECR Public is
 * therefore pulled through the stack's rule; an image of this account's ECR in this region as it is; any
 * other registry needs a route to the internet (egress_mode "nat", or an existing VPC that has one), which
 * the task definition's precondition demands with a message that says what to do.
 */
export class EcsImageSource extends Construct {
  /** The image the task definition uses. */
  readonly image: string;
  /** The repository prefix of the pull through cache (ARN pattern `repository/<prefix>/*`). */
  readonly cachePrefix: string;
  readonly precondition: { condition: string; errorMessage: string };

  constructor(scope: Construct, id: string, props: EcsImageSourceProps) {
    super(scope, id);
    const stack = OpsStack.of(this);
    this.cachePrefix = stack.name(props.name);
    const image = props.image;
    // Built with cdktf's Fn and Op: tokens inside hand-written nested expressions do not render reliably.
    const fromEcrPublic = Fn.startswith(image, `${ECR_PUBLIC}/`);
    const dnsSuffix = conditional(
      Op.eq(stack.partition, 'aws-cn'),
      'amazonaws.com.cn',
      'amazonaws.com',
    );
    new EcrPullThroughCacheRule(this, 'ecr-public', {
      count: Token.asNumber(conditional(fromEcrPublic, 1, 0)),
      ecrRepositoryPrefix: this.cachePrefix,
      upstreamRegistryUrl: ECR_PUBLIC,
      lifecycle: {
        precondition: [
          {
            condition: `\${length(${stack.namePrefix}) + ${props.name.length + 1} <= ${MAX_PREFIX}}`,
            errorMessage: `The ECR pull through cache prefix "${this.cachePrefix}" is longer than ${MAX_PREFIX} characters: shorten name_prefix.`,
          },
        ],
      },
    });
    const cached = Fn.format('%s.dkr.ecr.%s.%s/%s/%s', [
      stack.accountId,
      stack.region,
      dnsSuffix,
      this.cachePrefix,
      Fn.trimprefix(image, `${ECR_PUBLIC}/`),
    ]);
    // A local, so the task definition's jsonencode() reads a plain reference.
    this.image = new TerraformLocal(
      this,
      'image',
      conditional(fromEcrPublic, cached, image),
    ).asString;
    const ownEcr = Fn.can(
      Fn.regex(Fn.format('^[0-9]{12}[.]dkr[.]ecr[.]%s[.]', [stack.region]), image),
    );
    // The network block's variables, declared by every stack that has a Network.
    const routed = ref('(var.existing_vpc_id != "" || var.egress_mode == "nat")');
    this.precondition = {
      condition: Token.asString(Op.or(Op.or(routed, fromEcrPublic), ownEcr)),
      errorMessage:
        `Image ${image} is neither on ECR Public (pulled through this stack's cache) nor in this account's ECR in ${stack.region}, ` +
        `and with egress_mode "\${var.egress_mode}" the instances have no route to other registries. Push the image to ECR in this account and region, or set egress_mode = "nat".`,
    };
  }
}
