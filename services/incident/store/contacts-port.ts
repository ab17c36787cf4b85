/**
 * D4.5 (contract "Message relay"): the index from a contact-confirmation token to its car. The contacts
 * themselves live on the car's state (`VehicleState.contacts`, committed with the car); this index is
 * what `POST /v1/contacts/confirm {token}` needs to find the car from the token alone.
 *
 * Keys are the token's SHA-256 (hex), never the token. The service writes the entries **before** the
 * commit that issues the tokens, so a committed token is always found; an entry whose commit did not
 * happen (a conflict, an outage) points to a car whose contacts hold no such hash, and the confirmation
 * answers `contact_token_not_found`. Entries expire with the token (`ttlMs`), on the store's clock.
 * tests/helpers/store-contract-contacts.ts holds both adapters to it.
 */
export interface ContactTokenEntry {
  tokenHash: string;
  vin: string;
}

export interface ContactTokenStore {
  putContactTokens(entries: ContactTokenEntry[], ttlMs: number): Promise<void>;
  /** The car the token was issued for; null when unknown or expired. */
  findContactToken(tokenHash: string): Promise<string | null>;
}
