import type { AuditEntry } from '../../../protocol/index.js';
import type { AccountRecord, IdentityStore, TokenRecord, VehicleCredentialRecord } from './identity-port.js';

/**
 * Issue 11: both store adapters keep operator accounts, login tokens and vehicle credentials in an
 * object of their own (memory-identity.ts, redis-identity.ts) and answer the identity port through it:
 * the delegation is written once, here.
 */
export abstract class DelegatedIdentity implements IdentityStore {
  protected abstract readonly identity: IdentityStore;

  createAccount(account: AccountRecord, audit: AuditEntry): Promise<'ok' | 'exists'> {
    return this.identity.createAccount(account, audit);
  }

  getAccount(username: string): Promise<AccountRecord | null> {
    return this.identity.getAccount(username);
  }

  listAccounts(): Promise<AccountRecord[]> {
    return this.identity.listAccounts();
  }

  deleteAccount(username: string, audit: AuditEntry): Promise<'ok' | 'not_found' | 'last_admin'> {
    return this.identity.deleteAccount(username, audit);
  }

  createToken(tokenHash: string, record: TokenRecord, clearFailures: string, audit: AuditEntry): Promise<'ok' | 'no_account'> {
    return this.identity.createToken(tokenHash, record, clearFailures, audit);
  }

  getToken(tokenHash: string): Promise<TokenRecord | null> {
    return this.identity.getToken(tokenHash);
  }

  deleteToken(tokenHash: string, username: string, audit: AuditEntry): Promise<boolean> {
    return this.identity.deleteToken(tokenHash, username, audit);
  }

  loginFailures(keys: string[]): Promise<number[]> {
    return this.identity.loginFailures(keys);
  }

  recordLoginFailure(keys: string[], windowMs: number, audit: AuditEntry): Promise<void> {
    return this.identity.recordLoginFailure(keys, windowMs, audit);
  }

  putVehicleCredential(record: VehicleCredentialRecord, audit: AuditEntry): Promise<{ rotated: boolean }> {
    return this.identity.putVehicleCredential(record, audit);
  }

  getVehicleCredential(vin: string): Promise<VehicleCredentialRecord | null> {
    return this.identity.getVehicleCredential(vin);
  }

  onVehicleCredential(listener: (vin: string) => void): () => void {
    return this.identity.onVehicleCredential(listener);
  }
}
