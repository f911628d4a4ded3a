import type { Clock } from '../domain/dates';
import type { Ledger } from '../storage/ledger';

/** What the grant use cases need from the outside world; handlers pass real ones, tests fakes. */
export interface GrantPorts {
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly newId: () => string;
}

/** The authenticated caller, as the API's authorizer vouched for them. */
export interface Caller {
  /** A person's e-mail, or a finance system's client id. */
  readonly email: string;
  readonly roles: readonly string[];
  /** OAuth scopes of a machine token (client credentials). */
  readonly scopes?: readonly string[];
}
