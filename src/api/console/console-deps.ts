import type { Ledger } from '../../ledger';
import type { OrderService } from '../../orders/order-service';
import type { ApiKeys } from '../api-keys';

/** Where an order's workflow is shown in the Temporal UI. */
export interface TemporalUiLink {
  /** The UI's base URL, e.g. http://127.0.0.1:8233 (TEMPORAL_UI_URL). */
  url: string;
  namespace: string;
}

/** What the console reads and acts through: the same use cases as the ops API. */
export interface ConsoleDeps {
  orders: OrderService;
  ledger: Ledger;
  apiKeys: ApiKeys;
  temporalUi?: TemporalUiLink;
}
