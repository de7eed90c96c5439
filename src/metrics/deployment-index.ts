import type { RoutingTable } from '../routing/routing-table.js';
import { splitProvider } from '../routing/routing-table.js';

export interface DeploymentLabel {
  readonly group: string;
  readonly provider: string;
}

/**
 * Deployment id → (group, provider), for labelling logs and metrics after the fact from the
 * x-switchboard-deployment header. Rebuilt when the routing table object changes, which is
 * the registry's atomic swap, so no listener is needed.
 */
export class DeploymentIndex {
  private table?: RoutingTable;
  private byId = new Map<string, DeploymentLabel>();

  lookup(table: RoutingTable, deploymentId: string): DeploymentLabel | undefined {
    if (table !== this.table) this.rebuild(table);
    return this.byId.get(deploymentId);
  }

  /** The group a requested name would be served by ('' when it names nothing configured). */
  groupOf(table: RoutingTable, name: string): string {
    let current = name;
    for (let hops = 0; hops < 16; hops++) {
      if (table.hasGroup(current)) return current;
      const alias = table.alias(current);
      if (!alias) break;
      current = alias.target;
    }
    for (const w of table.wildcardPatterns()) if (w.regex.test(current)) return w.pattern;
    return '';
  }

  private rebuild(table: RoutingTable): void {
    const byId = new Map<string, DeploymentLabel>();
    for (const d of table.config.models) {
      // A template whose provider is itself a capture gets its provider per request.
      const dynamic = !d.customProvider && d.model.split('/')[0].includes('*');
      const split = dynamic ? undefined : splitProvider(d.model.replace(/\*/g, 'x'), d.customProvider, d.apiBase);
      const provider = split && !('error' in split) ? split.provider : dynamic ? 'dynamic' : 'unknown';
      byId.set(d.id, { group: d.modelName, provider });
    }
    this.byId = byId;
    this.table = table;
  }
}
