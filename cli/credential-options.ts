import type { Command } from 'commander';

/** What `--username/--password/--provision/--token` give a command that runs cars (issue 11, part 6). */
export interface CredentialCliOptions {
  username?: string;
  password?: string;
  provision?: boolean;
  token?: string;
}

/**
 * The cars' credentials for a broker with AUTH on, the same on `sim fire`, `sim fleet`, `sim run` and
 * `trace replay --url`: one car's `--username` (its VIN) and `--password`, or `--provision` (each car
 * issued its own over the HTTP API with an admin token). The token (`--token`, else ANSHIN_TOKEN, else
 * API_TOKEN) is also the bearer token of the command's other HTTP calls. Not given as commander
 * defaults, so that `--help` never shows a secret from the environment.
 */
export function addCredentialOptions(cmd: Command, passwordHelp = "one car's MQTT password when the broker has AUTH on (username: its VIN)"): Command {
  return cmd
    .option('--username <vin>', "one car's MQTT username, its VIN (with --password)")
    .option('--password <password>', passwordHelp)
    .option('--provision', "AUTH on: issue every car its own password (PUT /v1/vehicles/{vin}/credentials on --http-url, 16 at a time; needs an admin's token) and connect each with it")
    .option('--token <token>', 'bearer token for the HTTP API (with --provision an admin\'s: a login token or the service\'s API_TOKEN); default $ANSHIN_TOKEN, else $API_TOKEN');
}

/**
 * D4.6, `sim service-car`: the same flags for a service car, whose MQTT username is `svc-<id>`:
 * `--username svc-<id> --password <pw>` (from `PUT /v1/service-cars/{id}/credentials`), or `--provision`
 * (issued over `--http-url` with an admin token: `--token`, else ANSHIN_TOKEN, else API_TOKEN).
 */
export function addServiceCarCredentialOptions(cmd: Command): Command {
  return cmd
    .option('--username <name>', "the service car's MQTT username, svc-<id> (with --password; the default when --password is given)")
    .option('--password <password>', "the service car's MQTT password when the broker has AUTH on (PUT /v1/service-cars/{id}/credentials)")
    .option('--provision', "AUTH on: issue the service car its password (PUT /v1/service-cars/{id}/credentials on --http-url; needs an admin's token) and connect with it")
    .option('--token <token>', "with --provision, an admin's bearer token (a login token or the service's API_TOKEN); default $ANSHIN_TOKEN, else $API_TOKEN");
}
