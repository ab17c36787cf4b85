import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Agency, Case, CoverageAnswer, Dispatch, Relay } from '../../../../protocol/index.js';
import type { WorkKind, WorkState } from '../hooks/use-case-actions.js';
import type { ServiceCarTrack } from '../hooks/use-service-cars.js';
import { jstTime, useI18n } from '../i18n/index.js';
import type { Messages } from '../i18n/messages.js';
import { isEmergency, nextStatuses, noResponseAgencies } from '../lib/actions.js';
import type { Api } from '../lib/api.js';

export interface WorkProps {
  c: Case;
  api: Api;
  /** The last work action on this case (busy, refusal), or null. */
  work: WorkState | null;
  runWork<T>(caseId: string, kind: WorkKind, call: () => Promise<T>): Promise<T | null>;
  /** The no-response confirmation is open (`r`, or the button). */
  confirmNoResponse: boolean;
  onConfirmNoResponse(open: boolean): void;
  /** The note being typed, kept by the page so that nothing (a login asked again) loses it. */
  noteDraft: string;
  onNoteDraft(text: string): void;
  /** The open case's service cars as their tracking links show them (hooks/use-service-cars.ts), by dispatch id. */
  serviceCars: Record<string, ServiceCarTrack>;
}

const agencyList = (agencies: readonly Agency[], m: Messages) => agencies.map((a) => m.work.agencyName[a]).join(m.lang === 'ja' ? '、' : ', ');

/**
 * Issue 14 part 2, working the case: the dispatches (contract "Dispatches": agency, reference, note,
 * status forward only, ETA), no response with a confirmation (D4.2), the road-service answer a
 * road_service dispatch carries (coverage, service car, destination), and the case's notes.
 */
export function WorkPanel(props: WorkProps) {
  const { c, work } = props;
  const { m } = useI18n();
  const open = c.status === 'open';
  const errorFor = (kinds: WorkKind[]) => (work && work.error && work.kind && kinds.includes(work.kind) ? (work.errorCode === 'network' ? m.unreachable : work.error) : null);
  return (
    <>
      <h3 id="dispatches-title">{m.work.dispatches}</h3>
      <DispatchForm {...props} />
      {errorFor(['dispatch', 'update']) && (
        <p class="error" role="alert">
          {errorFor(['dispatch', 'update'])}
        </p>
      )}
      <NoResponse {...props} error={errorFor(['noResponse'])} />
      <ul class="dispatches" data-testid="dispatches" aria-labelledby="dispatches-title">
        {(c.dispatches ?? []).length === 0 && <li class="muted">{m.work.noDispatches}</li>}
        {(c.dispatches ?? []).map((d) => (
          <DispatchRow key={d.id} d={d} caseOpen={open} {...props} />
        ))}
      </ul>
      <RelayPanel {...props} error={errorFor(['relay'])} />
      <Notes {...props} error={errorFor(['note'])} />
    </>
  );
}

/**
 * The agencies in the order of `Messages.work.agencyName` (a `Record<Agency, string>`, so the type
 * checker holds every agency there): no runtime import of protocol/dispatch.ts, whose schemas (coverage
 * included) would add ~25 kB to the bundle.
 */
function DispatchForm({ c, api, work, runWork }: WorkProps) {
  const { m } = useI18n();
  const [agency, setAgency] = useState<Agency>('fire_ambulance');
  const [reference, setReference] = useState('');
  const [note, setNote] = useState('');
  const [carId, setCarId] = useState('');
  const [carReports, setCarReports] = useState(true);
  const busy = !!work?.busy;
  // A service car goes with road service and dealer transport (contract "Service-car arrival").
  const withCar = agency === 'road_service' || agency === 'dealer_transport';
  const car = withCar && carId.trim() ? { serviceCar: { id: carId.trim(), reportsPosition: carReports } } : {};
  const submit = async () => {
    if (busy || c.status !== 'open') return;
    const body = { agency, ...(reference.trim() ? { reference: reference.trim() } : {}), ...(note.trim() ? { note: note.trim() } : {}), ...car };
    const made = await runWork(c.id, 'dispatch', () => api.dispatch(c.id, body));
    if (made) {
      setReference('');
      setNote('');
      setCarId('');
    }
  };
  const enterSubmits = (e: KeyboardEvent) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      void submit();
    }
  };
  return (
    <form
      class="dispatch-form"
      aria-label={m.work.dispatches}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        {m.work.agency}
        <select
          id="dispatch-agency"
          name="agency"
          value={agency}
          disabled={c.status !== 'open'}
          onChange={(e) => setAgency(e.currentTarget.value as Agency)}
          // Keyboard: d focuses this list, arrows choose, Enter requests.
          onKeyDown={enterSubmits}
        >
          {(Object.keys(m.work.agencyName) as Agency[]).map((a) => (
            <option key={a} value={a}>
              {m.work.agencyName[a]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {m.work.reference}
        <input name="reference" value={reference} maxLength={200} size={10} disabled={c.status !== 'open'} onInput={(e) => setReference(e.currentTarget.value)} />
      </label>
      <label class="grow">
        {m.work.dispatchNote}
        <input name="dispatchNote" value={note} maxLength={2000} disabled={c.status !== 'open'} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {withCar && (
        <>
          <label>
            {m.work.serviceCarId}
            <input
              id="dispatch-service-car"
              name="serviceCarId"
              value={carId}
              maxLength={64}
              size={12}
              pattern="[A-Za-z0-9_\-]+"
              autoComplete="off"
              disabled={c.status !== 'open'}
              onInput={(e) => setCarId(e.currentTarget.value)}
            />
          </label>
          <label class="check">
            <input
              type="checkbox"
              name="serviceCarReports"
              checked={carReports}
              disabled={c.status !== 'open'}
              onChange={(e) => setCarReports(e.currentTarget.checked)}
              onKeyDown={enterSubmits}
            />{' '}
            {m.work.serviceCarReports}
          </label>
        </>
      )}
      <button type="submit" class="primary" disabled={busy || c.status !== 'open'} aria-keyshortcuts="d">
        {work?.busy === 'dispatch' ? m.work.busy.dispatch : m.work.request} <kbd aria-hidden="true">d</kbd>
      </button>
    </form>
  );
}

function NoResponse({ c, api, work, runWork, confirmNoResponse, onConfirmNoResponse, error }: WorkProps & { error: string | null }) {
  const { m } = useI18n();
  const [done, setDone] = useState<string | null>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const agencies = noResponseAgencies(c);
  const allowed = c.status === 'open' && isEmergency(c);
  // Focus in the same frame the question appears (a layout effect): an operator's Enter pressed at
  // once must answer it, not fall through to the page (CI caught that race with a fast keyboard).
  useLayoutEffect(() => {
    if (confirmNoResponse) confirm.current?.focus();
  }, [confirmNoResponse]);
  const send = async () => {
    onConfirmNoResponse(false);
    const result = await runWork(c.id, 'noResponse', () => api.noResponse(c.id));
    if (result) setDone(result.created.length > 0 ? m.work.noResponseDone(agencyList(result.created.map((d) => d.agency), m)) : m.work.noResponseNothing);
  };
  return (
    <div class="no-response">
      <button
        type="button"
        class="danger"
        disabled={!allowed || !!work?.busy || confirmNoResponse}
        title={allowed ? m.work.noResponseTitle : isEmergency(c) ? '' : m.work.noResponseNotEmergency}
        onClick={() => onConfirmNoResponse(true)}
        aria-keyshortcuts="r"
      >
        {work?.busy === 'noResponse' ? m.work.busy.noResponse : m.work.noResponse} <kbd aria-hidden="true">r</kbd>
      </button>
      {!isEmergency(c) && <span class="muted small"> {m.work.noResponseNotEmergency}</span>}
      {confirmNoResponse && allowed && (
        <div class="confirm" role="alertdialog" aria-labelledby="no-response-q" data-testid="no-response-confirm">
          <p id="no-response-q">{m.work.noResponseConfirm(agencyList(agencies, m))}</p>
          <div class="row-buttons">
            <button type="button" class="danger" ref={confirm} onClick={() => void send()}>
              {m.work.noResponseSend}
            </button>
            <button
              type="button"
              onClick={() => onConfirmNoResponse(false)}
              onKeyDown={(e) => e.key === 'Escape' && onConfirmNoResponse(false)}
            >
              {m.cancel}
            </button>
          </div>
        </div>
      )}
      {done && (
        <p class="ok" role="status" data-testid="no-response-done">
          {done}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function DispatchRow(props: WorkProps & { d: Dispatch; caseOpen: boolean }) {
  const { d, c, api, work, runWork, caseOpen } = props;
  const { m } = useI18n();
  const [eta, setEta] = useState('');
  const next = caseOpen ? nextStatuses(d.status) : [];
  const move = async (status: (typeof next)[number]) => {
    const minutes = eta.trim() === '' ? undefined : Math.max(0, Math.min(1440, Math.round(Number(eta))));
    const body = minutes === undefined || Number.isNaN(minutes) ? { status } : { status, etaMinutes: minutes };
    if (await runWork(c.id, 'update', () => api.updateDispatch(c.id, d.id, body))) setEta('');
  };
  const name = m.work.agencyName[d.agency];
  return (
    <li class={`dispatch s-${d.status}`} data-agency={d.agency} data-status={d.status} data-dispatch-id={d.id}>
      <div class="dispatch-head">
        <strong>{name}</strong> <span class={`badge st-${d.status}`}>{m.work.status[d.status]}</span>
        {d.etaMinutes !== undefined && d.status !== 'completed' && d.status !== 'cancelled' && (
          <span class="eta" data-testid="eta">
            {m.work.etaValue(d.etaMinutes)}
          </span>
        )}
        {d.reference && <span class="mono muted">#{d.reference}</span>}
      </div>
      <div class="muted small">
        {m.work.requestedBy(d.requestedBy, jstTime(d.requestedAt))}
        {d.position && (
          <>
            {' · '}
            {m.work.position}: <span class="mono">{d.position.lat.toFixed(4)}, {d.position.lon.toFixed(4)}</span>
          </>
        )}
      </div>
      {d.note && <div class="small">{d.note}</div>}
      {(d.destination || d.serviceCar || d.coverage) && <RoadService d={d} track={props.serviceCars[d.id]} />}
      {next.length > 0 && (
        <div class="dispatch-actions" role="group" aria-label={`${name}: ${m.work.statusActions}`}>
          <label class="small">
            {m.work.eta}
            <input
              type="number"
              name="eta"
              min={0}
              max={1440}
              value={eta}
              style={{ width: '4.5em' }}
              aria-label={`${name}: ${m.work.eta}`}
              onInput={(e) => setEta(e.currentTarget.value)}
            />
          </label>
          {next.map((s) => (
            <button key={s} type="button" class={s === 'cancelled' ? 'link' : ''} disabled={!!work?.busy} onClick={() => void move(s)}>
              {m.work.status[s]}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}

/** Issue 13 part 4: what the member was told (the coverage the dispatch was arranged under), the service car and where it goes. */
function RoadService({ d, track }: { d: Dispatch; track: ServiceCarTrack | undefined }) {
  const { m } = useI18n();
  return (
    <dl class="road-service" data-testid="road-service">
      {d.destination && (
        <>
          <dt>{m.work.destination}</dt>
          <dd data-testid="destination">
            {d.destination.name ?? ''} <span class="muted">({m.work.destinationKind[d.destination.kind] ?? d.destination.kind})</span>
            {typeof (d.destination as { distanceKm?: unknown }).distanceKm === 'number' && (
              <span class="muted"> · {m.work.distanceKm(((d.destination as { distanceKm: number }).distanceKm).toFixed(1))}</span>
            )}
          </dd>
        </>
      )}
      {d.serviceCar && (
        <>
          <dt>{m.work.serviceCar}</dt>
          <dd data-testid="service-car">
            <span class="mono">{d.serviceCar.id}</span> · {d.serviceCar.reportsPosition ? m.work.reportsPosition : m.work.noPositionReports}
            {track && (
              <div class="service-car-live" data-testid="service-car-live" data-eta={track.view.etaMinutes ?? ''}>
                {track.view.serviceCar ? (
                  <>
                    <strong data-testid="service-car-eta">{m.work.serviceCarEta(track.view.etaMinutes)}</strong>{' '}
                    <span class="muted small">
                      ({m.work.serviceCarAt(jstTime(track.view.serviceCar.at))}:{' '}
                      <span class="mono">
                        {track.view.serviceCar.position.lat.toFixed(4)}, {track.view.serviceCar.position.lon.toFixed(4)}
                      </span>
                      )
                    </span>
                  </>
                ) : (
                  <span class="muted">{m.work.serviceCarNotYet}</span>
                )}
              </div>
            )}
          </dd>
        </>
      )}
      {d.coverage && <Coverage a={d.coverage} />}
    </dl>
  );
}

function Coverage({ a }: { a: CoverageAnswer }) {
  const { m } = useI18n();
  return (
    <>
      <dt>{m.work.coverage}</dt>
      <dd data-testid="coverage" data-eligible={String(a.eligible)}>
        <div>
          {a.programmeName}: <strong class={a.eligible ? 'ok' : 'refused'}>{a.eligible ? m.work.eligible : m.work.notEligible}</strong>
        </div>
        {a.refusals.length > 0 && (
          <div class="small">
            {m.work.refusals}: <span class="mono">{a.refusals.join(', ')}</span>
          </div>
        )}
        {a.work.length > 0 && (
          <ul class="small cover-work">
            {a.work.map((w) => (
              <li key={w.kind}>
                {m.work.workKind[w.kind] ?? w.kind}: {w.covered ? m.work.covered : m.work.notCovered}
                {w.reason && <span class="muted"> ({w.reason})</span>}
              </li>
            ))}
          </ul>
        )}
        {a.tow && <div class="small">{m.work.tow(a.tow.km, a.tow.freeKm, a.tow.chargedKm, a.tow.memberPaysYen, a.tow.band)}</div>}
      </dd>
    </>
  );
}

function Notes({ c, api, work, runWork, noteDraft, onNoteDraft, error }: WorkProps & { error: string | null }) {
  const { m } = useI18n();
  const notes = c.notes ?? [];
  const add = async () => {
    const text = noteDraft.trim();
    if (!text || work?.busy || c.status !== 'open') return;
    if (await runWork(c.id, 'note', () => api.addNote(c.id, text))) onNoteDraft('');
  };
  return (
    <>
      <h3 id="notes-title">{m.work.notes}</h3>
      <ol class="notes" data-testid="notes" aria-labelledby="notes-title">
        {notes.length === 0 && <li class="muted">{m.work.noNotes}</li>}
        {notes.map((n, i) => (
          <li key={`${n.at}-${i}`}>
            <span class="mono muted">{jstTime(n.at)}</span> <span class="muted">{n.operatorId}</span> <span class="note-text">{n.text}</span>
          </li>
        ))}
      </ol>
      <form
        class="note-form"
        onSubmit={(e) => {
          e.preventDefault();
          void add();
        }}
      >
        <textarea
          id="note-text"
          name="note"
          rows={2}
          maxLength={2000}
          aria-label={m.work.noteText}
          aria-describedby="note-hint"
          value={noteDraft}
          disabled={c.status !== 'open'}
          onInput={(e) => onNoteDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void add();
            }
          }}
        />
        <button type="submit" disabled={!noteDraft.trim() || !!work?.busy || c.status !== 'open'} aria-keyshortcuts="m">
          {work?.busy === 'note' ? m.work.busy.note : m.work.addNote} <kbd aria-hidden="true">m</kbd>
        </button>
      </form>
      <p class="muted small" id="note-hint">
        {m.work.noteHint}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * Contract "Message relay" (D4.5): on a trouble case whose transport was arranged (road service or
 * dealer transport), the operator relays a message to the owner's first contact: the phone is called
 * once, the operator records whether it was answered; the service decides the rest (a call-back email
 * to a confirmed address, else unreachable) and refuses what the contract refuses, in its own words.
 */
function RelayPanel({ c, api, work, runWork, error }: WorkProps & { error: string | null }) {
  const { m } = useI18n();
  const [message, setMessage] = useState('');
  const relays: Relay[] = c.relays ?? [];
  const transport = (c.dispatches ?? []).some((d) => d.agency === 'road_service' || d.agency === 'dealer_transport');
  if (isEmergency(c) && relays.length === 0) return null;
  if (!transport && relays.length === 0) return null;
  const open = c.status === 'open';
  const send = async () => {
    const text = message.trim();
    if (!text || work?.busy || !open) return;
    if (await runWork(c.id, 'relay', () => api.relay(c.id, text))) setMessage('');
  };
  return (
    <div class="relay" data-testid="relay">
      <h3 id="relay-title">{m.work.relay}</h3>
      <ul class="dispatches" aria-labelledby="relay-title">
        {relays.map((r) => {
          const phone = r.attempts.find((a) => a.channel === 'phone');
          return (
            <li key={r.id} class="dispatch" data-relay-status={r.status}>
              <div class="dispatch-head">
                <strong>{r.contactName}</strong> <span class="badge">{m.work.relayStatus[r.status]}</span>
              </div>
              <div class="small">{r.message}</div>
              <ul class="small cover-work">
                {r.attempts.map((a, i) => (
                  <li key={i}>{m.work.attempt(a.channel, a.to, m.work.attemptResult[a.result] ?? a.result)}</li>
                ))}
              </ul>
              {open && r.status === 'pending' && phone?.result === 'pending' && (
                <div class="dispatch-actions" role="group" aria-label={m.work.relayCalling(r.contactName, phone.to)}>
                  <span class="small">{m.work.relayCalling(r.contactName, phone.to)}</span>
                  <button type="button" disabled={!!work?.busy} onClick={() => void runWork(c.id, 'relay', () => api.phoneResult(c.id, r.id, true))}>
                    {m.work.relayAnswered}
                  </button>
                  <button type="button" disabled={!!work?.busy} onClick={() => void runWork(c.id, 'relay', () => api.phoneResult(c.id, r.id, false))}>
                    {m.work.relayNotAnswered}
                  </button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {open && transport && !isEmergency(c) && (
        <form
          class="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <textarea
            name="relayMessage"
            rows={2}
            maxLength={2000}
            aria-label={m.work.relayMessage}
            aria-describedby="relay-hint"
            value={message}
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
          <button type="submit" disabled={!message.trim() || !!work?.busy}>
            {work?.busy === 'relay' ? m.work.busy.relay : m.work.relaySend}
          </button>
        </form>
      )}
      <p class="muted small" id="relay-hint">
        {m.work.relayHint}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
