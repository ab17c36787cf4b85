import { Type, type Static } from '@sinclair/typebox';
import { IsoTime } from './common.js';
import { Vin } from './vin.js';

/**
 * Contract v1 extension "Identity and access" (`AUTH=on`): operator login, accounts, vehicle
 * credentials. Roles grow one way: a supervisor may do what an operator may, an admin what a supervisor may.
 */
export const ROLES = ['operator', 'supervisor', 'admin'] as const;
export const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
export type Role = Static<typeof Role>;

/** An operator's id is its username (contract): the same characters an `X-Operator-Id` may hold. */
export const USERNAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
export const Username = Type.String({ pattern: USERNAME_PATTERN, examples: ['sato.k'] });

/** What an operator types; long enough for a passphrase, bounded so that hashing it costs what it should. */
export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

/** An account as the API shows it: never its password or hash. */
export const OperatorView = Type.Object({ username: Username, displayName: Type.String(), role: Role });
export type OperatorView = Static<typeof OperatorView>;

/** `POST /v1/auth/login` -> 200. `token` is an opaque bearer token, valid until `expiresAt` or logout. */
export const LoginResponse = Type.Object({ token: Type.String(), expiresAt: IsoTime, operator: OperatorView });
export type LoginResponse = Static<typeof LoginResponse>;

/** Minimum length of an operator's password (and of `ADMIN_PASSWORD`). */
export const MIN_PASSWORD_LENGTH = 12;

/** `POST /v1/operators` (admin). */
export const CreateOperatorBody = Type.Object(
  {
    username: Username,
    password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 256 }),
    role: Role,
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type CreateOperatorBody = Static<typeof CreateOperatorBody>;

/** Extension: an account with when it was made (`POST` answers it, `GET /v1/operators` lists them). */
export const OperatorAccount = Type.Composite([OperatorView, Type.Object({ createdAt: IsoTime })]);
export type OperatorAccount = Static<typeof OperatorAccount>;

/** `GET /v1/operators`, by username. */
export const OperatorList = Type.Object({ operators: Type.Array(OperatorAccount) });
export type OperatorList = Static<typeof OperatorList>;

export const UsernameParams = Type.Object({ username: Username });

/**
 * `PUT /v1/vehicles/{vin}/credentials` (admin) -> 201: the car's MQTT username (its VIN) and password.
 * The password is shown this once; the service keeps only a salted hash. Calling again rotates it.
 */
export const VehicleCredentialsIssued = Type.Object({ vin: Vin, username: Vin, password: Type.String() });
export type VehicleCredentialsIssued = Static<typeof VehicleCredentialsIssued>;
