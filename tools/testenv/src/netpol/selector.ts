// Label selector matching with metav1.LabelSelector semantics: matchLabels AND every
// matchExpression; an empty selector matches everything.
import type { LabelSelector, Labels } from './types.ts';

export function matchesSelector(selector: LabelSelector, labels: Labels = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        // A pod without the label is "not in" (as in apimachinery's labels.Selector).
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // The API server rejects other operators; should one get through, match nothing.
        return false;
    }
  }
  return true;
}
