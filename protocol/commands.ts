import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { ContractVersion, Id, IsoTime } from './common.js';
import { LockoutFeature } from './lockout.js';
import { Vin } from './vin.js';

export const CallState = Type.Union([Type.Literal('ringing'), Type.Literal('connected'), Type.Literal('cleared')]);
export type CallState = Static<typeof CallState>;

export const REMOTE_OPERATIONS = ['door_lock', 'door_unlock', 'hazard_lights', 'climate_on', 'climate_off', 'horn'] as const;
export const RemoteOperation = Type.Union(REMOTE_OPERATIONS.map((o) => Type.Literal(o)));
export type RemoteOperation = Static<typeof RemoteOperation>;

/** Codes of `notice` commands: what the car shows its occupants. */
export const NOTICE_CODES = ['trouble_button_unavailable', 'hangup_rejected', 'remote_operation_unavailable'] as const;
export const NoticeCode = Type.Union(NOTICE_CODES.map((c) => Type.Literal(c)));
export type NoticeCode = Static<typeof NoticeCode>;

const CommandBase = Type.Object({ v: ContractVersion, commandId: Id, ts: IsoTime });
function command<C extends string, P extends TProperties>(cmd: C, props: P) {
  return Type.Composite([CommandBase, Type.Object({ cmd: Type.Literal(cmd), ...props })]);
}

/** D2.5: the car mutes its display audio until the call is cleared. */
export const CallStateCommand = command('call.state', { sessionId: Id, state: CallState, audioMuted: Type.Boolean() });
/** Mirror of the retained lockout topic, so a car that missed the retained message still learns it. */
export const LockoutCommand = command('lockout', {
  vin: Vin,
  active: Type.Boolean(),
  features: Type.Array(LockoutFeature),
  until: Type.Union([IsoTime, Type.Null()]),
});
export const WifiCommand = command('wifi', { enabled: Type.Boolean(), until: Type.Optional(IsoTime) });
export const NoticeCommand = command('notice', { code: NoticeCode, until: Type.Optional(IsoTime) });
/** D2.6: the centre calls the car back after clear-down. */
export const CallbackCommand = command('callback', { sessionId: Id });
/** Extension: a remote operation accepted by `POST /v1/vehicles/{vin}/remote-operations`. */
export const RemoteCommand = command('remote', { operation: RemoteOperation });

export const Command = Type.Union(
  [CallStateCommand, LockoutCommand, WifiCommand, NoticeCommand, CallbackCommand, RemoteCommand],
  { $id: 'Command', description: 'Published by the backend on v1/vehicles/{vin}/commands' },
);

export type CallStateCommand = Static<typeof CallStateCommand>;
export type LockoutCommand = Static<typeof LockoutCommand>;
export type WifiCommand = Static<typeof WifiCommand>;
export type NoticeCommand = Static<typeof NoticeCommand>;
export type CallbackCommand = Static<typeof CallbackCommand>;
export type RemoteCommand = Static<typeof RemoteCommand>;
export type Command = Static<typeof Command>;

/** A command before it is stamped with `v`, id and time: what a decision asks to send, and what a command record keeps. */
const STAMP = ['v', 'commandId', 'ts'] as const;
export const CommandBody = Type.Union([
  Type.Omit(CallStateCommand, STAMP),
  Type.Omit(LockoutCommand, STAMP),
  Type.Omit(WifiCommand, STAMP),
  Type.Omit(NoticeCommand, STAMP),
  Type.Omit(CallbackCommand, STAMP),
  Type.Omit(RemoteCommand, STAMP),
]);
export type CommandBody = Static<typeof CommandBody>;

/** `v1/vehicles/{vin}/acks`: the car's answer to one command. */
export const Ack = Type.Object({
  v: ContractVersion,
  commandId: Id,
  ok: Type.Boolean(),
  error: Type.Optional(Type.String({ maxLength: 256 })),
});
export type Ack = Static<typeof Ack>;
