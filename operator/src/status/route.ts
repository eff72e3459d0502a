// The RouteReady condition of an instance served through the Gateway API (spec.gateway).
// Pure: the caller says whether the cluster serves HTTPRoutes.
import type { PmsInstance } from '../api/spec.ts';
import { CONDITION, type ConditionInput } from '../api/status.ts';
import type { ClusterCapabilities } from '../render/index.ts';
import { httpRouteName } from '../render/httproute.ts';

/**
 * [] without spec.gateway. Otherwise RouteReady: False (GatewayAPINotInstalled, Ready False)
 * where the cluster has no HTTPRoute CRD, else True once the route is applied. Whether the
 * Gateway accepted the route is in the HTTPRoute's own status.parents (its controller's word).
 */
export function routeGates(
  i: PmsInstance,
  caps: ClusterCapabilities,
): { label: string; condition: ConditionInput }[] {
  if (!i.spec.gateway) return [];
  const og =
    i.metadata.generation !== undefined ? { observedGeneration: i.metadata.generation } : {};
  return [
    {
      label: 'HTTPRoute',
      condition: caps.httpRoutes
        ? {
            type: CONDITION.Route,
            status: 'True',
            reason: 'Applied',
            message: `HTTPRoute ${httpRouteName(i)} is applied; its status.parents tell whether the Gateways accepted it`,
            ...og,
          }
        : {
            type: CONDITION.Route,
            status: 'False',
            reason: 'GatewayAPINotInstalled',
            message:
              'spec.gateway needs the Gateway API CRDs (gateway.networking.k8s.io/v1 httproutes), which this cluster does not serve: install them, or use spec.ingress',
            ...og,
          },
    },
  ];
}
