export { parseScenario, loadScenario, ScenarioError, BUILT_IN_DIR } from './load.js';
export { runScenario, type RunScenarioOptions } from './runner.js';
export { formatReport, type ScenarioReport, type StepResult } from './report.js';
export { durationMs } from './duration.js';
export { OperatorClient, loggedInAs } from './http-client.js';
