import type { Agency, Case, DispatchStatus, LockoutView, VoiceSession } from '../../../../protocol/index.js';

/**
 * Every word the console shows, per language. `Messages` is the shape; `en` and `ja` (./ja.ts) must
 * each fill all of it (the type checker says which key is missing). Codes stay on the wire; rule ids
 * (D2.7 and the like) stay in the code's comments: the operator reads what to do next instead.
 */
export interface Messages {
  lang: 'ja' | 'en';
  appTitle: string;
  conn: Record<'connecting' | 'live' | 'reconnecting' | 'unauthorized', string>;
  loggedOut: string;
  logIn: string;
  logOut: string;
  enterToken: string;
  openCount(n: number): string;
  settingsSummary(who: string, target: number, sound: boolean): string;
  settingsTitle: string;
  settingsForm: string;
  whoIsHere: string;
  operatorId: string;
  answerTarget: string;
  answerTargetTitle: string;
  soundOnP1: string;
  soundLocked: string;
  save: string;
  cancel: string;
  language: string;
  keyboardHelp: string;

  queue: string;
  openCases: string;
  noOpenCases: string;
  noMatch: string;
  showingOf(shown: number, total: number): string;
  truncatedTitle: string;
  filters: string;
  filter: Record<'all' | 'ringing' | 'mine' | 'connected' | 'cleared', string>;
  search: string;
  searchPlaceholder: string;
  testCalls: string;
  priority(p: number): string;
  trigger: Record<Case['trigger'], string>;
  test: string;
  risk(pct: number, heli: boolean): string;
  riskTitle(model: string): string;
  noPosition: string;
  positionDoubtful: string;
  callState: Record<VoiceSession['state'], string>;
  age: string;
  answerTargetIs(s: number): string;
  timerLeft(d: string): string;
  timerOver(d: string): string;
  answeredIn(d: string): string;
  clearedUnanswered: string;

  case: string;
  selectCase: string;
  vin: string;
  opened: string;
  ago(d: string): string;
  occupants: string;
  unknown: string;
  position: string;
  positionUnknownAsk: string;
  positionDoubtfulAsk: string;
  trusted: string;
  lastKnown(age: string): string;
  lastKnownTitle: string;
  call: string;
  loading: string;
  operatorOnlyHangup: string;
  operator: string;
  callActions: string;
  answer: string;
  hangup: string;
  callback: string;
  callbackTitle: string;
  resolution: string;
  resolutionPlaceholder: string;
  resolutionName: Record<string, string>;
  closeCase: string;
  closeNeedsClear: string;
  closeHint: string;
  chooseResolution: string;
  busy: Record<'answer' | 'hangup' | 'callback' | 'close', string>;
  closed: string;
  lockout: string;
  lockoutHeld: string;
  lockoutLeft(d: string): string;
  lockoutEnding: string;
  notLocked: string;
  held: string;
  nothingLocked: string;
  nothingLockedTest: string;
  nothingLockedTrouble: string;
  feature: Record<LockoutView['features'][number], string>;
  timeline: string;
  openedBeforePage: string;
  facts: {
    airbags: string;
    noneReported: string;
    deltaV: string;
    direction: string;
    peak: string;
    rollover: string;
    yes: string;
    warningLamps: string;
    directionName: Record<string, string>;
  };
  session: {
    cleared: string;
    clearedBy(by: string): string;
    clearedByName: Record<string, string>;
    ringing: string;
    callingBack: string;
    connected: string;
    callbackConnected: string;
  };
  tl: {
    opened(trigger: string, priority: number, test: boolean): string;
    updated(operator?: string): string;
    closed(resolution?: string): string;
    lockoutLifted: string;
    lockoutUntil(until: string, features: string): string;
    lockoutHeld(features: string): string;
    escalated: string;
    other(type: string): string;
  };
  newP1(trigger: string, vin: string, test: boolean, noPosition: boolean): string;
  overdueP1(vin: string): string;

  map: string;
  mapLabel(n: number): string;
  zoomIn: string;
  zoomOut: string;
  zoomAll: string;
  zoomCase: string;
  withoutPosition(n: number): string;
  place: string;
  prefectureUnknown: string;
  near(name: string): string;
  road: string;
  towards(label: string): string;
  directionUnknown: string;
  kmPost(km: string): string;
  between(a: string, b: string): string;
  inTunnel(name: string): string;
  heading: string;
  headingValue(deg: number, compass: string): string;
  compass: readonly string[];
  speed: string;
  speedEstimated(kmh: number): string;
  track(n: number): string;
  sendHelpTo: string;

  /** Issue 14 part 2: working the case (dispatches, no response, notes, release). */
  work: {
    dispatches: string;
    agency: string;
    agencyName: Record<Agency, string>;
    reference: string;
    dispatchNote: string;
    request: string;
    noDispatches: string;
    status: Record<DispatchStatus, string>;
    statusActions: string;
    eta: string;
    etaValue(min: number): string;
    requestedBy(operator: string, time: string): string;
    position: string;
    destination: string;
    destinationKind: Record<string, string>;
    distanceKm(km: string): string;
    serviceCar: string;
    reportsPosition: string;
    serviceCarId: string;
    serviceCarReports: string;
    serviceCarAt(time: string): string;
    serviceCarEta(min: number | null): string;
    serviceCarNotYet: string;
    serviceCarOnMap: string;
    noPositionReports: string;
    coverage: string;
    eligible: string;
    notEligible: string;
    covered: string;
    notCovered: string;
    tow(km: number, free: number, charged: number, yen: number, band: string): string;
    workKind: Record<string, string>;
    refusals: string;
    noResponse: string;
    noResponseTitle: string;
    noResponseConfirm(agencies: string): string;
    noResponseSend: string;
    noResponseDone(agencies: string): string;
    noResponseNothing: string;
    noResponseNotEmergency: string;
    notes: string;
    noteText: string;
    addNote: string;
    noNotes: string;
    noteHint: string;
    release: string;
    releaseTitle(operator: string): string;
    heldBy(operator: string): string;
    busy: Record<'dispatch' | 'update' | 'noResponse' | 'note' | 'release' | 'relay', string>;
    relay: string;
    relayMessage: string;
    relaySend: string;
    relayHint: string;
    relayStatus: Record<'pending' | 'delivered' | 'unreachable', string>;
    relayCalling(name: string, to: string): string;
    relayAnswered: string;
    relayNotAnswered: string;
    attempt(channel: string, to: string, result: string): string;
    attemptResult: Record<string, string>;
    escalated: string;
    escalatedAnnounce(vin: string, priority: number, seconds: number): string;
  };
  /** Issue 14 part 4: the supervisor view (`GET /v1/stats`). */
  sup: {
    open: string;
    backToMap: string;
    title: string;
    queueDepth: string;
    priority: string;
    ringing: string;
    connected: string;
    cleared: string;
    total: string;
    oldestRinging: string;
    none: string;
    answerTime: string;
    p50: string;
    p90: string;
    withinTarget: string;
    answered: string;
    target: string;
    window(hours: number): string;
    dispatchesOpen: string;
    operatorsOnDuty: string;
    operatorCases: string;
    cases: string;
    openDispatches: string;
    updatedAt(time: string): string;
    failed: string;
    forbidden: string;
  };

  help: string;
  helpTitle: string;
  helpClose: string;
  coming: string;
  keys: Record<
    'nextPrev' | 'moveSel' | 'open' | 'answer' | 'hangup' | 'callback' | 'close' | 'search' | 'filters' | 'zoom' | 'escape' | 'help' | 'dispatch' | 'noResponse' | 'note',
    string
  >;

  apiToken: string;
  tokenKept: string;
  useToken: string;
  loginTitle: string;
  loginKept: string;
  username: string;
  password: string;
  reason: Record<AuthReason, string>;
  unreachable: string;
}

/** Why the console asks for a login or a token (lib/api.ts, hooks/use-feed.ts). */
export type AuthReason = 'sessionEnded' | 'loginToWork' | 'tokenRefused' | 'tokenAsked' | 'feedLogin' | 'feedToken';

const DIRECTION_EN: Record<string, string> = { front: 'front', rear: 'rear', left: 'left (passenger side)', right: 'right (driver side)', rollover: 'rollover' };

export const en: Messages = {
  lang: 'en',
  appTitle: 'anshin · operator console',
  conn: { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', unauthorized: 'Needs API token' },
  loggedOut: 'Logged out',
  logIn: 'Log in',
  logOut: 'Log out',
  enterToken: 'Enter API token',
  openCount: (n) => `${n} open`,
  settingsSummary: (who, target, sound) => `${who} · target ${target}s · sound ${sound ? 'on' : 'off'}`,
  settingsTitle: 'Operator id, answer target, sound',
  settingsForm: 'Console settings',
  whoIsHere: 'Who is on this console?',
  operatorId: 'Operator id',
  answerTarget: 'Answer target (s)',
  answerTargetTitle: 'NFPA 1225: 90% of calls answered within 10 seconds',
  soundOnP1: 'Sound on priority 1',
  soundLocked: 'Sound starts after your first click or key',
  save: 'Save',
  cancel: 'Cancel',
  language: 'Language',
  keyboardHelp: 'Keyboard (?)',

  queue: 'Queue',
  openCases: 'Open cases',
  noOpenCases: 'No open cases.',
  noMatch: 'No case matches.',
  showingOf: (shown, total) => `Showing ${shown} of ${total} open cases`,
  truncatedTitle: 'The rest did not fit the feed’s snapshot; each appears here as soon as it changes.',
  filters: 'Filter the queue',
  filter: { all: 'All', ringing: 'Ringing', mine: 'Mine', connected: 'Connected', cleared: 'Cleared, open' },
  search: 'Search VIN',
  searchPlaceholder: 'VIN…  (/)',
  testCalls: 'Test calls',
  priority: (p) => `Priority ${p}`,
  trigger: { airbag: 'Airbag deployed', impact: 'Impact', sos: 'SOS button', trouble: 'Trouble support' },
  test: 'TEST',
  risk: (pct, heli) => `risk ${pct}%${heli ? ' · doctor heli' : ''}`,
  riskTitle: (model) => `Estimated risk of death or serious injury (${model})`,
  noPosition: 'no position',
  positionDoubtful: 'position doubtful',
  callState: { ringing: 'ringing', connected: 'connected', cleared: 'cleared' },
  age: 'Age',
  answerTargetIs: (s) => `Answer target ${s} s`,
  timerLeft: (d) => `${d} left`,
  timerOver: (d) => `+${d} over`,
  answeredIn: (d) => `answered in ${d}`,
  clearedUnanswered: 'cleared unanswered',

  case: 'Case',
  selectCase: 'Select a case: click a row, or j / k then Enter. Press ? for every key.',
  vin: 'VIN',
  opened: 'Opened',
  ago: (d) => `${d} ago`,
  occupants: 'Occupants',
  unknown: 'unknown',
  position: 'Position',
  positionUnknownAsk: 'Unknown: ask the caller where they are (road, direction, kilometre post or a landmark).',
  positionDoubtfulAsk: 'Doubtful fix: confirm the place with the caller.',
  trusted: 'trusted',
  lastKnown: (age) => `Last known position, ${age} ago`,
  lastKnownTitle: 'The call carried no position; this is the car’s last report before it.',
  call: 'Call',
  loading: 'loading…',
  operatorOnlyHangup: 'automatic call: the car cannot hang up, only you can',
  operator: 'Operator',
  callActions: 'Call actions',
  answer: 'Answer',
  hangup: 'Hang up',
  callback: 'Call back',
  callbackTitle: 'Possible once the call has ended',
  resolution: 'Resolution',
  resolutionPlaceholder: 'Resolution…',
  resolutionName: {
    emergency_dispatched: 'emergency dispatched',
    road_service_arranged: 'road service arranged',
    advice_given: 'advice given',
    accidental: 'accidental',
    no_response_dispatched: 'no response, dispatched',
    test_call: 'test call',
    duplicate: 'duplicate',
    other: 'other',
  },
  closeCase: 'Close case',
  closeNeedsClear: 'Hang up the call first',
  closeHint: 'Choose a resolution with ↑/↓, then Enter closes the case.',
  chooseResolution: 'Choose a resolution first.',
  busy: { answer: 'Answering…', hangup: 'Hanging up…', callback: 'Calling back…', close: 'Closing…' },
  closed: 'closed',
  lockout: 'Lockout',
  lockoutHeld: 'held until 60 min after clear-down',
  lockoutLeft: (d) => `${d} left`,
  lockoutEnding: 'ending',
  notLocked: 'not locked',
  held: 'held',
  nothingLocked: 'Nothing locked.',
  nothingLockedTest: 'Nothing locked (test call).',
  nothingLockedTrouble: 'Nothing locked (trouble support locks nothing).',
  feature: {
    remote_operations: 'Remote operations',
    trouble_button: 'Trouble support button',
    security_alarm: 'Security-alarm notices',
    wifi: 'In-car Wi-Fi',
    app_center: 'App-centre apps',
  },
  timeline: 'Timeline',
  openedBeforePage: 'Opened before this page connected.',
  facts: {
    airbags: 'Airbags fired',
    noneReported: 'none reported',
    deltaV: 'Delta-V',
    direction: 'Direction',
    peak: 'Peak',
    rollover: 'Rollover',
    yes: 'yes',
    warningLamps: 'Warning lamps',
    directionName: DIRECTION_EN,
  },
  session: {
    cleared: 'Call cleared',
    clearedBy: (by) => `Call cleared (by ${by})`,
    clearedByName: { operator: 'operator', vehicle: 'vehicle', power_off: 'power off', network: 'network' },
    ringing: 'Call ringing',
    callingBack: 'Calling the car back',
    connected: 'Call connected',
    callbackConnected: 'Call-back connected',
  },
  tl: {
    opened: (trigger, priority, test) => `Opened: ${trigger}, priority ${priority}${test ? ' (test call)' : ''}`,
    updated: (operator) => (operator ? `Updated (operator ${operator})` : 'Updated'),
    closed: (resolution) => `Closed${resolution ? `: ${resolution}` : ''}`,
    lockoutLifted: 'Lockout lifted',
    lockoutUntil: (until, features) => `Lockout until ${until}: ${features}`,
    lockoutHeld: (features) => `Lockout until 60 min after clear-down: ${features}`,
    escalated: 'Not answered within the target: escalated',
    other: (type) => type,
  },
  newP1: (trigger, vin, test, noPosition) =>
    `New priority 1 case: ${trigger}, vehicle ${vin}${test ? ', test call' : ''}${noPosition ? ', position unknown' : ''}`,
  overdueP1: (vin) => `Priority 1 call not answered in time: vehicle ${vin}`,

  map: 'Map',
  mapLabel: (n) => `Map of Japan with ${n} open cases`,
  zoomIn: 'Zoom in',
  zoomOut: 'Zoom out',
  zoomAll: 'All Japan',
  zoomCase: 'Centre on the case',
  withoutPosition: (n) => `${n} open case(s) without a position on the map.`,
  place: 'Place',
  prefectureUnknown: 'outside the prefecture outlines (at sea or on a small island): ask the caller',
  near: (name) => `near ${name}`,
  road: 'Road',
  towards: (label) => `towards ${label}`,
  directionUnknown: 'direction unknown: ask the caller which way they were going',
  kmPost: (km) => `kilometre post ${km}`,
  between: (a, b) => `between ${a} and ${b}`,
  inTunnel: (name) => `in ${name}`,
  heading: 'Heading',
  headingValue: (deg, compass) => `${compass} (${deg}°)`,
  compass: ['N', 'NE', 'E', 'SE', 'S', 'SW', 'W', 'NW'],
  speed: 'Speed',
  speedEstimated: (kmh) => `about ${kmh} km/h (from the last positions)`,
  track: (n) => `track: ${n} earlier position(s)`,
  sendHelpTo: 'Send help to',

  work: {
    dispatches: 'Dispatches',
    agency: 'Agency',
    agencyName: {
      fire_ambulance: 'Fire / ambulance (119)',
      police: 'Police (110)',
      doctor_heli: 'Doctor helicopter',
      road_service: 'Road service',
      dealer_transport: 'Transport to the dealer',
      security_guard: 'Security guard to the scene',
    },
    reference: 'Reference',
    dispatchNote: 'What they are told',
    request: 'Request',
    noDispatches: 'Nobody sent yet.',
    status: { requested: 'requested', en_route: 'en route', on_scene: 'on scene', completed: 'completed', cancelled: 'cancelled' },
    statusActions: 'Move the dispatch forward',
    eta: 'ETA (min)',
    etaValue: (min) => `ETA ${min} min`,
    requestedBy: (operator, time) => `requested by ${operator} at ${time}`,
    position: 'Sent to',
    destination: 'Destination',
    destinationKind: { registered_dealer: 'registered dealer', nearest_dealer: 'nearest dealer', address: 'address' },
    distanceKm: (km) => `${km} km away`,
    serviceCar: 'Service car',
    reportsPosition: 'reports its position (the owner can follow it)',
    serviceCarId: 'Service car id',
    serviceCarReports: 'Reports its position',
    serviceCarAt: (time) => `position at ${time}`,
    serviceCarEta: (min) => (min === null ? 'ETA unknown' : min === 0 ? 'arriving' : `arrives in about ${min} min`),
    serviceCarNotYet: 'no position reported yet',
    serviceCarOnMap: 'Service car',
    noPositionReports: 'does not report its position',
    coverage: 'Coverage',
    eligible: 'covered by the programme',
    notEligible: 'not covered',
    covered: 'covered',
    notCovered: 'not covered',
    tow: (km, free, charged, yen, band) => `tow ${km} km: ${free} km free, ${charged} km charged (${band}), member pays ¥${yen.toLocaleString('en')}`,
    workKind: {
      battery_jump: 'battery jump-start',
      key_locked_in_cabin: 'key locked in the cabin',
      key_locked_in_trunk: 'key locked in the boot',
      spare_tyre: 'spare tyre',
      fuel_delivery: 'fuel delivery',
      wheel_drop: 'wheel in a ditch',
      minor_fix: 'minor fix on the spot',
      tow: 'tow',
    },
    refusals: 'Refused because',
    noResponse: 'No response',
    noResponseTitle: 'Nobody answers: send fire and police at once',
    noResponseConfirm: (agencies) => `Nobody answers? This sends ${agencies} to the car's last known position now.`,
    noResponseSend: 'Send now',
    noResponseDone: (agencies) => `Sent: ${agencies}`,
    noResponseNothing: 'Already on their way: nothing new was sent.',
    noResponseNotEmergency: 'Trouble support: no emergency dispatch.',
    notes: 'Notes',
    noteText: 'Note',
    addNote: 'Add note',
    noNotes: 'No notes yet.',
    noteHint: 'Enter adds the note; Shift+Enter starts a new line.',
    release: 'Release',
    releaseTitle: (operator) => `Release the case from ${operator} (it keeps its call)`,
    heldBy: (operator) => `held by ${operator}`,
    busy: { dispatch: 'Requesting…', update: 'Updating…', noResponse: 'Sending…', note: 'Saving the note…', release: 'Releasing…', relay: 'Relaying…' },
    relay: 'Message to the owner’s contact',
    relaySend: 'Call the contact',
    relayMessage: 'Message',
    relayHint: 'The first registered contact is called once; not answered, a confirmed email asks them to call back.',
    relayStatus: { pending: 'calling', delivered: 'delivered', unreachable: 'unreachable' },
    relayCalling: (name, to) => `Call ${name} on ${to} now, then say whether they answered.`,
    relayAnswered: 'Answered',
    relayNotAnswered: 'Not answered',
    attempt: (channel, to, result) => `${channel === 'phone' ? 'phone' : 'email'} ${to}: ${result}`,
    attemptResult: { pending: 'calling', answered: 'answered', not_answered: 'not answered', sent: 'sent' },
    escalated: 'over target',
    escalatedAnnounce: (vin, priority, seconds) => `Priority ${priority} call not answered within ${seconds} s, escalated: vehicle ${vin}`,
  },
  sup: {
    open: 'Supervisor',
    backToMap: 'Map',
    title: 'Supervisor view',
    queueDepth: 'Queue',
    priority: 'Priority',
    ringing: 'Ringing',
    connected: 'Connected',
    cleared: 'Cleared, open',
    total: 'Total',
    oldestRinging: 'Oldest ringing',
    none: '—',
    answerTime: 'Answer time',
    p50: 'p50',
    p90: 'p90',
    withinTarget: 'Within target',
    answered: 'Answered',
    target: 'Target',
    window: (hours) => `cases opened in the last ${hours} h`,
    dispatchesOpen: 'Open dispatches',
    operatorsOnDuty: 'Operators on duty',
    operatorCases: 'Operators and their cases',
    cases: 'Cases',
    openDispatches: 'Dispatches under way',
    updatedAt: (time) => `as of ${time}`,
    failed: 'The figures could not be read.',
    forbidden: 'Only a supervisor may see these figures.',
  },

  help: 'Keyboard',
  helpTitle: 'Keyboard shortcuts',
  helpClose: 'Close (Esc)',
  coming: 'coming',
  keys: {
    nextPrev: 'Next / previous case (opens it)',
    moveSel: 'Move the selection in the queue',
    open: 'Open the selected case',
    answer: 'Answer',
    hangup: 'Hang up',
    callback: 'Call back',
    close: 'Close the case (choose the resolution, Enter)',
    search: 'Search by VIN',
    filters: 'Queue filters: all, ringing, mine, connected, cleared',
    zoom: 'Map: zoom in, zoom out, centre on the case',
    escape: 'Close this help, or the case view',
    help: 'This help',
    dispatch: 'Dispatch (fire/ambulance, police…)',
    noResponse: 'No response: send fire and police',
    note: 'Note',
  },

  apiToken: 'API token',
  tokenKept: 'It is kept for this tab only.',
  useToken: 'Use token',
  loginTitle: 'Log in',
  loginKept: 'The login is kept for this tab only.',
  username: 'Username',
  password: 'Password',
  reason: {
    sessionEnded: 'Your session ended. Log in again.',
    loginToWork: 'Log in to work cases.',
    tokenRefused: 'The token was refused.',
    tokenAsked: 'The service asks for an API token.',
    feedLogin: 'Log in to see the live feed.',
    feedToken: 'The live feed asks for an API token.',
  },
  unreachable: 'The service cannot be reached. Is it running?',
};
