/**
 * The seam between the embedded broker and the identity service (issue 11): the broker asks whether a
 * vehicle's password is right and is told when it changes; how credentials are stored, hashed and
 * issued (`PUT /v1/vehicles/{vin}/credentials`) is the identity service's business.
 */
export interface VehicleCredentials {
  /** True when `password` is the current password of vehicle `vin` (constant-time compare of hashes). */
  verify(vin: string, password: Buffer): Promise<boolean>;
  /**
   * Told when a vehicle's credentials are rotated or removed: the broker disconnects that vehicle's
   * session. With several instances (Redis) every instance must be told, since a car may be connected
   * to any of them. Returns the function that stops listening.
   */
  onRevoked(listener: (vin: string) => void): () => void;
}

/** A non-vehicle MQTT account of the embedded broker: a username and its password (from config). */
export interface BrokerAccount {
  username: string;
  password: string;
}

/**
 * What the embedded broker enforces when AUTH=on (absent: AUTH off, anyone connects, today's rules).
 * `vehicles` checks the cars; `service` is this deployment's own identity (MQTT_USERNAME /
 * MQTT_PASSWORD: another instance, or the mail gateway, reaching this broker as the backend); `tool`
 * is the read-only account of trace recorders and the bench's probes (MQTT_TOOL_PASSWORD, username
 * `anshin-tool`). An account left out cannot log in.
 */
export interface BrokerAuthOptions {
  vehicles: VehicleCredentials;
  service?: BrokerAccount;
  tool?: BrokerAccount;
  /** D4.5: the mail gateway's account (MQTT_MAIL_PASSWORD, username `anshin-mail`): reads `v1/outbox/email` only. */
  mail?: BrokerAccount;
  /** How long a verified (vin, password) pair is trusted without asking `vehicles` again; default 10 min. */
  cacheTtlMs?: number;
  /** Most pairs kept (oldest dropped first); default 100,000. */
  cacheMaxEntries?: number;
  /** The clock of the cache's TTL; the system clock by default. */
  now?: () => number;
}

/** Username of the tool account (MQTT_TOOL_PASSWORD); the same name in infra/'s Mosquitto and EMQX ACLs. */
export const TOOL_USERNAME = 'anshin-tool';

/** Username of the mail gateway's account (MQTT_MAIL_PASSWORD, D4.5); the same name in infra/'s Mosquitto and EMQX ACLs. */
export const MAIL_USERNAME = 'anshin-mail';
