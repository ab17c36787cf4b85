/**
 * Which top-level folder may import which (../shared/LAYOUT.md; each folder's README says the same).
 * eslint.config.js turns this into `no-restricted-imports` rules, and tests/unit/boundaries.test.ts
 * checks the whole import graph against it, so a wrong-way import fails lint and the tests.
 */

/** The folders that hold code; `infra/` is data. */
export const TOP_FOLDERS = ['protocol', 'lib', 'services', 'simulator', 'qa', 'bench', 'cli', 'bin', 'tests'];

/** folder -> the other folders it may import. */
export const ALLOWED_IMPORTS = {
  protocol: [],
  lib: ['protocol'],
  services: ['protocol', 'lib'],
  simulator: ['protocol', 'lib'],
  qa: ['protocol', 'lib', 'services', 'simulator'],
  bench: ['protocol', 'lib', 'services', 'simulator', 'qa'],
  cli: ['protocol', 'lib', 'services', 'simulator', 'qa', 'bench'],
  bin: ['cli'],
  tests: ['protocol', 'lib', 'services', 'simulator', 'qa', 'bench', 'cli'],
};

function describe(folder) {
  const allowed = ALLOWED_IMPORTS[folder];
  return allowed.length === 0 ? `${folder}/ imports nothing of ours` : `${folder}/ may import ${allowed.map((f) => `${f}/`).join(' and ').replace(/ and (?=.* and )/g, ', ')} only`;
}

/**
 * One ESLint config block per folder: relative imports that name a folder it may not import are
 * refused. A relative specifier that leaves its folder always names the folder it enters.
 */
export function boundaryRules() {
  return Object.keys(ALLOWED_IMPORTS)
    .filter((folder) => folder !== 'tests')
    .map((folder) => {
      const forbidden = TOP_FOLDERS.filter((f) => f !== folder && !ALLOWED_IMPORTS[folder].includes(f));
      return {
        files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              patterns: [
                {
                  group: forbidden.map((f) => `**/${f}/**`),
                  message: `${describe(folder)} (../shared/LAYOUT.md, ${folder}/README.md).`,
                },
              ],
            },
          ],
        },
      };
    });
}
