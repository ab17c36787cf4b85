import { describe, expect, it } from 'vitest';
import { topics, type ContactInput, type OutboxEmail } from '../../protocol/index.js';
import { CONTACT_TOKEN_TTL_MS } from '../../services/incident/domain/index.js';
import { MINUTE, T0, VIN } from '../helpers/domain-fixtures.js';
import { domainSpec, type Outcome } from '../helpers/domain-spec.js';
import { after, airbag, operator, trouble } from '../helpers/domain-steps.js';
import { feed, refused } from '../helpers/domain-then.js';
import { arrange, cancel, confirm, contactList, contacts, emails, emailsSent, phoneResult, relay, relays, tokenFor } from '../helpers/relay-steps.js';

const at = (ms: number) => new Date(ms).toISOString();
const HANAKO = { name: 'Hanako', phone: '090-1234-5678', email: 'hanako@example.jp' };
const TARO = { name: 'Taro', phone: '+81 80 9999 0000', email: 'taro@example.jp' };
const ok = (o: Outcome) => expect(o.results.every((r) => r.status === 'ok' || r.status === 'none'), JSON.stringify(o.results)).toBe(true);

describe('D4.5 contacts: an email registration is provisional until its confirmation link is opened', () => {
  it('D4.5 a new address starts provisional and is mailed a contact_confirmation with a token, through the outbox after the commit', async () => {
    const spec = domainSpec();
    const o = await spec.when(contacts([HANAKO, { name: 'Jiro', phone: '03-0000-1111' }])).then(
      ok,
      emails([{ kind: 'contact_confirmation', to: HANAKO.email }]),
      contactList([{ name: 'Hanako', phone: HANAKO.phone, email: HANAKO.email, emailStatus: 'provisional' }, { name: 'Jiro', phone: '03-0000-1111' }]),
    );
    const mail = o.on(topics.outboxEmail)[0] as OutboxEmail & { token: string };
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(mail.body).toContain(mail.token);
    // The token itself is never kept: the car's state holds its hash only.
    expect(JSON.stringify((await spec.store.loadVehicle(VIN)).vehicle)).not.toContain(mail.token);
    const audit = await spec.store.listAudit({ limit: 10 });
    expect(audit?.[0]).toMatchObject({ action: 'contacts.update', vin: VIN, details: { confirmationSent: [HANAKO.email] } });
  });

  it('D4.5 the token confirms the address once: a second use is contact_token_used, an unknown token contact_token_not_found', async () => {
    const spec = domainSpec();
    await spec.given(contacts([HANAKO]), after(MINUTE)).when(confirm(HANAKO.email)).then(ok, contactList([{ email: HANAKO.email, emailStatus: 'confirmed', emailConfirmedAt: at(T0 + MINUTE) }]));
    await spec.when(confirm(HANAKO.email)).then(refused('contact_token_used', { usedAt: at(T0 + MINUTE) }));
    await spec.when(confirm('x', 'A'.repeat(43))).then(refused('contact_token_not_found'));
    expect((await spec.store.listAudit({ limit: 1 }))?.[0]).toMatchObject({ action: 'contacts.confirm', actor: { kind: 'system' }, details: { email: HANAKO.email } });
  });

  it('D4.5 a token works for 7 days: after that, contact_token_expired', async () => {
    const spec = domainSpec();
    await spec.given(contacts([HANAKO])).when().then(() => {});
    const token = tokenFor(spec, HANAKO.email);
    await spec.given(after(CONTACT_TOKEN_TTL_MS - 1)).when(confirm(HANAKO.email, token)).then(ok);
    const late = domainSpec();
    await late.given(contacts([HANAKO]), after(CONTACT_TOKEN_TTL_MS)).when(confirm(HANAKO.email)).then(refused('contact_token_expired', { expiredAt: at(T0 + CONTACT_TOKEN_TTL_MS) }));
    // Re-registering the address mails a new token (the expired one is not kept).
    await late.when(contacts([HANAKO])).then(emails([{ kind: 'contact_confirmation', to: HANAKO.email }]));
    await late.when(confirm(HANAKO.email)).then(ok);
  });

  it('D4.5 re-registering a confirmed address keeps it confirmed (no email); a changed address is provisional again, with a new token', async () => {
    const spec = domainSpec();
    await spec.given(contacts([HANAKO]), confirm(HANAKO.email), after(MINUTE))
      .when(contacts([TARO, { ...HANAKO, email: 'HANAKO@example.jp' }]))
      .then(ok, emails([{ kind: 'contact_confirmation', to: TARO.email }]), contactList([{ email: TARO.email, emailStatus: 'provisional' }, { email: 'HANAKO@example.jp', emailStatus: 'confirmed', emailConfirmedAt: at(T0) }]));
    await spec.when(contacts([{ ...HANAKO, email: 'hanako.new@example.jp' }])).then(ok, emails([{ kind: 'contact_confirmation', to: 'hanako.new@example.jp' }]), contactList([{ email: 'hanako.new@example.jp', emailStatus: 'provisional' }]));
    // The old address's token was for an address no longer registered.
    await spec.when(confirm(TARO.email)).then(refused('contact_token_not_found'));
  });

  it('D4.5 the same registration twice mails nothing the second time (the pending token stays good)', async () => {
    const spec = domainSpec();
    await spec.given(contacts([HANAKO])).when(contacts([HANAKO])).then((o) => expect(o.results).toEqual([{ status: 'ok' }]), emails([]));
    await spec.when(confirm(HANAKO.email)).then(ok);
    expect(emailsSent(spec)).toHaveLength(1);
  });
});

/** A trouble call with road service arranged and contacts registered: where a relay may start (D4.5). */
const readyForRelay = (list: ContactInput[] = [HANAKO]) => [contacts(list), trouble(), operator('answer'), arrange('road_service')];

describe('D4.5 message relay: the operator relays a message to the registered contact; the phone is called once', () => {
  it('D4.5 on a trouble case with road service arranged, the first contact is called: 201 pending with one phone attempt, case.updated on the feed', async () => {
    const spec = domainSpec();
    await spec.given(...readyForRelay([TARO, HANAKO]), after(MINUTE)).when(relay('Tow truck on its way')).then(
      ok,
      feed(['case.updated']),
      emails([]),
      relays([{ status: 'pending', message: 'Tow truck on its way', contactName: 'Taro', requestedBy: 'op-1', requestedAt: at(T0 + MINUTE), attempts: [{ channel: 'phone', to: TARO.phone, result: 'pending', at: at(T0 + MINUTE) }] }]),
    );
    const c = await spec.caseOf();
    expect((await spec.store.listAudit({ caseId: c.id, limit: 1 }))?.[0]).toMatchObject({ action: 'relay.create', details: { relayId: c.relays![0]!.id, to: TARO.phone } });
  });

  it('D4.5 dealer transport counts as transport; a first contact without a phone is skipped for the first with one', async () => {
    await domainSpec()
      .given(contacts([{ name: 'Mail only', email: 'm@example.jp' }, HANAKO]), trouble(), arrange('dealer_transport'))
      .when(relay())
      .then(ok, relays([{ status: 'pending', contactName: 'Hanako', attempts: [{ channel: 'phone', to: HANAKO.phone, result: 'pending', at: at(T0) }] }]));
  });

  it('D4.5 only on a trouble case: an airbag case is relay_not_available (not_trouble)', async () => {
    await domainSpec().given(contacts([HANAKO]), airbag(), arrange('road_service')).when(relay()).then(refused('relay_not_available', { reason: 'not_trouble' }));
  });

  it('D4.5 a trouble call that an airbag event joined is an emergency, not trouble support: relay_not_available', async () => {
    await domainSpec().given(contacts([HANAKO]), trouble(), airbag(), arrange('road_service')).when(relay()).then(refused('relay_not_available', { reason: 'not_trouble' }));
  });

  it('D4.5 only once transport is arranged: none, or only a cancelled one, or another agency, is relay_not_available (no_transport)', async () => {
    await domainSpec().given(contacts([HANAKO]), trouble()).when(relay()).then(refused('relay_not_available', { reason: 'no_transport' }));
    await domainSpec().given(contacts([HANAKO]), trouble(), arrange('police')).when(relay()).then(refused('relay_not_available', { reason: 'no_transport' }));
    await domainSpec().given(contacts([HANAKO]), trouble(), arrange('road_service'), cancel(0)).when(relay()).then(refused('relay_not_available', { reason: 'no_transport' }));
  });

  it('D4.5 no registered contact: no relay (no_registered_contact), nor when no contact has a phone', async () => {
    await domainSpec().given(trouble(), arrange('road_service')).when(relay()).then(refused('no_registered_contact', { contacts: 0 }));
    await domainSpec().given(contacts([{ name: 'Mail only', email: 'm@example.jp' }]), trouble(), arrange('road_service')).when(relay()).then(refused('no_registered_contact', { contacts: 1 }));
  });

  it('D4.5 the phone is never called twice: a second relay while one is pending is already_called; after the result a new relay may start', async () => {
    const spec = domainSpec();
    await spec.given(...readyForRelay(), relay()).when(relay('again')).then(refused('already_called', { status: 'pending' }));
    await spec.given(phoneResult(true)).when(relay('a new message')).then(ok, relays([{ status: 'delivered' }, { status: 'pending', message: 'a new message' }]));
  });

  it('D4.5 answered: the relay is delivered, no email', async () => {
    await domainSpec()
      .given(...readyForRelay(), relay(), after(MINUTE))
      .when(phoneResult(true))
      .then(ok, feed(['case.updated']), emails([]), relays([{ status: 'delivered', updatedAt: at(T0 + MINUTE), attempts: [{ channel: 'phone', to: HANAKO.phone, result: 'answered', at: at(T0 + MINUTE) }] }]));
  });

  it('D4.5 not answered, address confirmed: an email asks for a call-back (attempt sent), delivered; audited in the same commit', async () => {
    const spec = domainSpec();
    const o = await spec
      .given(contacts([HANAKO]), confirm(HANAKO.email), trouble(), arrange('road_service'), relay(), after(MINUTE))
      .when(phoneResult(false))
      .then(
        ok,
        feed(['case.updated']),
        emails([{ kind: 'relay_callback_request', to: HANAKO.email }]),
        relays([{ status: 'delivered', attempts: [{ channel: 'phone', to: HANAKO.phone, result: 'not_answered', at: at(T0 + MINUTE) }, { channel: 'email', to: HANAKO.email, result: 'sent', at: at(T0 + MINUTE) }] }]),
      );
    const c = await spec.caseOf();
    expect((o.on(topics.outboxEmail)[0] as OutboxEmail).body).toContain(c.id);
    const [entry] = (await spec.store.listAudit({ caseId: c.id, limit: 1 })) ?? [];
    expect(entry).toMatchObject({ action: 'relay.phone_result', at: at(T0 + MINUTE), details: { answered: false, status: 'delivered', emailTo: HANAKO.email } });
  });

  it('D4.5 not answered, address only provisional (or none): the relay ends unreachable, no email', async () => {
    await domainSpec()
      .given(...readyForRelay(), relay())
      .when(phoneResult(false))
      .then(ok, emails([]), relays([{ status: 'unreachable', attempts: [expect.objectContaining({ channel: 'phone', result: 'not_answered' })] as never }]));
    await domainSpec()
      .given(...readyForRelay([{ name: 'Phone only', phone: '0120-000-000' }]), relay())
      .when(phoneResult(false))
      .then(ok, emails([]), relays([{ status: 'unreachable' }]));
  });

  it('D4.5 a second phone result is already_called; an unknown relay is relay_not_found', async () => {
    const spec = domainSpec();
    await spec.given(...readyForRelay(), relay(), phoneResult(false)).when(phoneResult(true)).then(refused('already_called', { status: 'unreachable' }));
    await spec.when(phoneResult(true, -1, 'nope')).then(refused('relay_not_found', { relayId: 'nope' }));
  });

  it('D4.5 a case another operator holds is case_taken, as for dispatches; a closed case is case_closed', async () => {
    await domainSpec().given(...readyForRelay()).when(relay('x', 'op-2')).then(refused('case_taken', { operatorId: 'op-1' }));
    const spec = domainSpec();
    await spec.given(...readyForRelay(), relay(), operator('hangup'), operator('close')).when(phoneResult(true)).then(refused('case_closed'));
  });
});
